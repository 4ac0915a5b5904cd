using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Logs;

/// <summary>
/// How long a job's log lines are kept after it ends (the shorter of the log and the job retention), and whether a job
/// is past it: then an empty log means its lines were deleted, not that it printed nothing.
/// </summary>
public sealed class LogRetentionAge(IOptions<RetentionOptions>? retention = null, IOptions<LogsOptions>? logs = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Days a job's lines are kept after it ends.</summary>
    public int Days { get; } = Math.Min((logs?.Value ?? new LogsOptions()).RetentionDays, (retention?.Value ?? new RetentionOptions()).JobDays);

    /// <summary>Whole days since the job ended when that is past the log retention (its lines are due to go), else null.</summary>
    public int? EndedDaysAgo(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = _time.GetUtcNow();
        return job.FinishedAt is { } ended && now - ended >= TimeSpan.FromDays(Days) ? (int)(now - ended).TotalDays : null;
    }

    /// <summary>Why a job <paramref name="endedDaysAgo"/> days past its end shows no output: one sentence.</summary>
    public string LinesDeleted(int endedDaysAgo) =>
        $"Its output is no longer stored: log lines are kept {Days} {(Days == 1 ? "day" : "days")} after a job ends, "
        + $"and this one ended {endedDaysAgo} {(endedDaysAgo == 1 ? "day" : "days")} ago.";
}
