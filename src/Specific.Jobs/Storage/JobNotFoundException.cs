namespace Specific.Jobs.Storage;

/// <summary>Thrown when a write names a job the store does not hold.</summary>
public sealed class JobNotFoundException(string jobId)
    : KeyNotFoundException($"There is no job '{jobId}'.")
{
    public string JobId { get; } = jobId;
}
