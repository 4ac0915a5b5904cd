namespace Specific.Jobs.Storage;

/// <summary>
/// What retention asks of a job store: which ended jobs' log lines are due to go, and bounded deletes of ended jobs
/// (with their thread records) and old audit entries. No call touches a job that has not ended; two replicas calling
/// at once delete each row once.
/// </summary>
public interface IStoreRetention
{
    /// <summary>
    /// Up to <paramref name="limit"/> jobs that ended before <paramref name="endedBefore"/> and whose log lines are not
    /// yet marked pruned, the longest-ended first.
    /// </summary>
    Task<IReadOnlyList<string>> ListLogsToPruneAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Records that the job's log lines are gone (from <paramref name="at"/>), so no pass looks at it again.</summary>
    Task MarkLogsPrunedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="limit"/> jobs that ended before <paramref name="endedBefore"/> and whose log lines
    /// are marked pruned, with their thread records, in one transaction; returns how many jobs went.
    /// </summary>
    Task<int> DeleteEndedJobsAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> audit entries recorded before <paramref name="before"/>; returns how many went.</summary>
    Task<int> DeleteAuditEntriesAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);
}
