using Specific.Jobs.Domain;

namespace Specific.Jobs.Redaction;

/// <summary>Redacts the parts of a job that people wrote or that echo its output: name, command, failure reason, notes.</summary>
public static class JobRecordRedaction
{
    /// <summary>
    /// The job as it may be shown in Slack. When redaction by value is incomplete, its warning comes first among the
    /// notes, so the job message says so for as long as it lasts.
    /// </summary>
    public static JobRecord Redacted(this ITextRedactor redactor, JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(job);
        var notes = job.Notes.Select(redactor.Redact);
        return job with
        {
            Name = job.Name is null ? null : redactor.Redact(job.Name),
            Command = redactor.Redact(job.Command),
            FailureReason = job.FailureReason is null ? null : redactor.Redact(job.FailureReason),
            Notes = redactor.Warning is { } warning ? [warning, .. notes] : [.. notes],
        };
    }
}
