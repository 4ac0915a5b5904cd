namespace Specific.Jobs.Readiness;

/// <summary>Whether a store still takes writes: what readiness asks of every store the bot writes to.</summary>
public interface IStoreWriteProbe
{
    /// <summary>Null when a heartbeat write went through; otherwise what is wrong and what to do.</summary>
    Task<string?> ProblemAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True when every replica writes to this same store (PostgreSQL): its fault is every replica's, so it degrades
    /// readiness instead of taking replicas out. False for a store of this replica's own (a SQLite file on its volume).
    /// </summary>
    bool SharedByReplicas { get; }
}
