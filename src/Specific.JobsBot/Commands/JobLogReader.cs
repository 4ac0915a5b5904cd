using Microsoft.Extensions.Options;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Commands;

/// <summary>
/// One <c>job logs</c> request: what was asked, by whom and where. Once allowed (and audited) it remembers so, so that
/// an answer that moves to the queue after Slack's budget ran out is not decided and audited twice.
/// </summary>
public sealed class LogReadRequest(JobLogsCommand command, Actor actor, string commandText)
{
    public JobLogsCommand Command { get; } = command ?? throw new ArgumentNullException(nameof(command));

    public Actor Actor { get; } = actor ?? throw new ArgumentNullException(nameof(actor));

    /// <summary>What the person typed, as the audit trail keeps it.</summary>
    public string CommandText { get; } = commandText;

    internal bool Allowed { get; set; }
}

/// <summary>
/// The private answers of <c>job logs</c>: the tail or the matching lines, read from the log store (so they outlive
/// the pod), redacted, and fitted to Block Kit's limits; only to those with a need to know (<see cref="LogAccess"/>).
/// A job past retention says so: deleted with its log (Retention:JobDays), or kept without its lines (Logs:RetentionDays).
/// </summary>
public sealed class JobLogReader(
    IJobStore jobs,
    ILogStore logs,
    IJobRedaction redaction,
    LogAccess access,
    IOptions<RetentionOptions>? retention = null,
    IOptions<LogsOptions>? logsOptions = null,
    TimeProvider? time = null)
{
    private readonly int _jobDays = (retention?.Value ?? new RetentionOptions()).JobDays;
    private readonly LogRetentionAge _retention = new(retention, logsOptions, time);

    /// <summary>How many matching lines <c>job logs --grep</c> reads; fewer may fit the reply.</summary>
    public const int GrepLines = 25;

    public async Task<SlackMessage> AnswerAsync(LogReadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var command = request.Command;
        var job = await jobs.GetAsync(command.JobId, cancellationToken);
        if (job is null)
        {
            return JobCommandUsage.Problem(
                $"No job `{JobCommandParser.Shorten(command.JobId)}`: no such id, or it ended more than {SlackText.Count(_jobDays, "day", "days")} ago "
                + "and was deleted with its log. `/specific job list` shows recent jobs.");
        }

        if (!request.Allowed)
        {
            var verdict = await access.DecideAsync(job, request.Actor, request.CommandText, cancellationToken);
            if (verdict.Refusal is { } refusal)
            {
                return SlackMessage.Ephemeral(refusal);
            }

            request.Allowed = true;
        }

        var redactor = await redaction.ForJobAsync(job, cancellationToken);
        if (command.Grep is { } text)
        {
            var found = await logs.SearchAsync(job.Id, text, GrepLines, cancellationToken);
            if (found.MatchCount == 0 && _retention.EndedDaysAgo(job) is { } endedDaysAgo && await logs.LastNumberAsync(job.Id, cancellationToken) == 0)
            {
                return JobLogReplies.LinesDeleted(job, _retention.LinesDeleted(endedDaysAgo));
            }

            var grep = JobLogReplies.Grep(job, redactor.Redact(text), found with { Lines = redactor.RedactLines(found.Lines) });
            return JobLogReplies.WithWarning(grep, redactor.Warning);
        }

        // Twice the lines shown: the earlier half is read as context, so a key block that began before the tail is still found.
        var read = await logs.TailAsync(job.Id, JobReplies.TailLines * 2, cancellationToken);
        if (read.Count == 0 && _retention.EndedDaysAgo(job) is { } daysAgo)
        {
            return JobLogReplies.LinesDeleted(job, _retention.LinesDeleted(daysAgo));
        }

        var context = Math.Max(0, read.Count - JobReplies.TailLines);
        var tail = JobLogReplies.Tail(job, redactor.RedactLines(read, context), read.Count == 0 ? 0 : read[^1].Number);
        return JobLogReplies.WithWarning(tail, redactor.Warning);
    }
}
