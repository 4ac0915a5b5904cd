using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Specific.Jobs.Logs;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Retention;

/// <summary>What one retention pass deleted.</summary>
/// <param name="LogLines">Log lines deleted (0 where the log store prunes itself, as ClickHouse does).</param>
/// <param name="JobsWithLogsPruned">Ended jobs whose log lines are now gone.</param>
/// <param name="Jobs">Ended jobs deleted, each with its thread record.</param>
/// <param name="AuditEntries">Audit entries deleted.</param>
public sealed record RetentionReport(long LogLines, long JobsWithLogsPruned, long Jobs, long AuditEntries)
{
    /// <summary>True when the pass deleted anything.</summary>
    public bool DeletedAny => LogLines + JobsWithLogsPruned + Jobs + AuditEntries > 0;
}

/// <summary>
/// One retention pass over the stores, in bounded batches with a pause after each full one: the log lines of jobs
/// that ended more than Logs:RetentionDays ago, then jobs that ended more than Retention:JobDays ago (with their
/// thread records; only once their lines are gone), then audit entries older than Retention:AuditDays. A job that
/// has not ended is never touched, however old. Safe to run on several replicas at once.
/// </summary>
public sealed class JobRetention
{
    // How many jobs one look-up of jobs whose lines are due returns; their lines go a batch at a time.
    private const int JobsPerLookup = 200;

    private readonly IStoreRetention _store;
    private readonly ILogStore _logs;
    private readonly RetentionOptions _options;
    private readonly TimeSpan _logRetention;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _sincePause;

    /// <param name="logRetentionDays">Logs:RetentionDays: how long after its job ended a line is kept.</param>
    public JobRetention(
        IStoreRetention store, ILogStore logs, RetentionOptions options, int logRetentionDays, TimeProvider time, ILogger<JobRetention>? logger = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _logs = logs ?? throw new ArgumentNullException(nameof(logs));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        // A job is deleted only after its lines, so lines never outlive the job they belong to.
        _logRetention = TimeSpan.FromDays(Math.Min(logRetentionDays, options.JobDays));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Deletes everything past its retention, a bounded batch at a time, and says what went.</summary>
    public async Task<RetentionReport> PruneAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _sincePause = 0;
        var (lines, jobsWithLogs) = await PruneLogsAsync(now - _logRetention, now, cancellationToken);
        var jobs = await DeleteInBatchesAsync(
            (limit, ct) => _store.DeleteEndedJobsAsync(now - TimeSpan.FromDays(_options.JobDays), limit, ct), cancellationToken);
        var audit = await DeleteInBatchesAsync(
            (limit, ct) => _store.DeleteAuditEntriesAsync(now - TimeSpan.FromDays(_options.AuditDays), limit, ct), cancellationToken);
        var report = new RetentionReport(lines, jobsWithLogs, jobs, audit);
        if (report.DeletedAny)
        {
            _logger.LogInformation(
                "Retention deleted {LogLines} log lines of {JobsWithLogs} ended jobs, {Jobs} ended jobs with their threads and {AuditEntries} audit entries",
                report.LogLines, report.JobsWithLogsPruned, report.Jobs, report.AuditEntries);
        }

        return report;
    }

    private async Task<(long Lines, long Jobs)> PruneLogsAsync(DateTimeOffset endedBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long lines = 0, jobs = 0;
        var pruning = _logs as ILogPruning;
        while (true)
        {
            var due = await _store.ListLogsToPruneAsync(endedBefore, JobsPerLookup, cancellationToken);
            foreach (var jobId in due)
            {
                if (pruning is not null)
                {
                    lines += await DeleteInBatchesAsync((limit, ct) => pruning.DeleteLinesAsync(jobId, limit, ct), cancellationToken);
                }

                await _store.MarkLogsPrunedAsync(jobId, now, cancellationToken);
                jobs++;
            }

            if (due.Count < JobsPerLookup)
            {
                return (lines, jobs);
            }
        }
    }

    private async Task<long> DeleteInBatchesAsync(Func<int, CancellationToken, Task<int>> deleteBatch, CancellationToken cancellationToken)
    {
        long total = 0;
        int deleted;
        do
        {
            deleted = await deleteBatch(_options.BatchSize, cancellationToken);
            total += deleted;
            await PaceAsync(deleted, cancellationToken);
        }
        while (deleted >= _options.BatchSize);

        return total;
    }

    // A pause once a batch's worth of rows has gone, so writers and readers get the store between batches.
    private async Task PaceAsync(int deleted, CancellationToken cancellationToken)
    {
        _sincePause += deleted;
        if (_sincePause < _options.BatchSize)
        {
            return;
        }

        _sincePause = 0;
        if (_options.Pause > TimeSpan.Zero)
        {
            await Task.Delay(_options.Pause, _time, cancellationToken);
        }
    }
}
