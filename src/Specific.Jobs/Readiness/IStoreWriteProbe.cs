namespace Specific.Jobs.Readiness;

/// <summary>Whether a store still takes writes: what readiness asks of every store the bot writes to.</summary>
public interface IStoreWriteProbe
{
    /// <summary>Null when a heartbeat write went through; otherwise what is wrong and what to do.</summary>
    Task<string?> ProblemAsync(CancellationToken cancellationToken);
}
