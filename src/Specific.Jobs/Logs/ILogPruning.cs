namespace Specific.Jobs.Logs;

/// <summary>
/// A log store that retention prunes itself (SQLite, PostgreSQL). ClickHouse is not one: its table's TTL drops old
/// lines on its own.
/// </summary>
public interface ILogPruning
{
    /// <summary>Deletes up to <paramref name="limit"/> of the job's lines, its lowest line numbers first; returns how many went.</summary>
    Task<int> DeleteLinesAsync(string jobId, int limit, CancellationToken cancellationToken);
}
