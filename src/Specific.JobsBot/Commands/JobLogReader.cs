using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Commands;

/// <summary>
/// The private answers of <c>job logs</c>: the tail or the matching lines, read from the log store (so they outlive
/// the pod), redacted, and fitted to Block Kit's limits.
/// </summary>
public sealed class JobLogReader(IJobStore jobs, ILogStore logs, IJobRedaction redaction)
{
    /// <summary>How many matching lines <c>job logs --grep</c> reads; fewer may fit the reply.</summary>
    public const int GrepLines = 25;

    public async Task<SlackMessage> AnswerAsync(JobLogsCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var job = await jobs.GetAsync(command.JobId, cancellationToken);
        if (job is null)
        {
            return SlashCommandHandler.Problem($"No job `{JobCommandParser.Shorten(command.JobId)}`. `/specific job list` shows recent jobs.");
        }

        var redactor = await redaction.ForJobAsync(job, cancellationToken);
        if (command.Grep is { } text)
        {
            var found = await logs.SearchAsync(job.Id, text, GrepLines, cancellationToken);
            var grep = JobLogReplies.Grep(job, redactor.Redact(text), found with { Lines = redactor.RedactLines(found.Lines) });
            return JobLogReplies.WithWarning(grep, redactor.Warning);
        }

        // Twice the lines shown: the earlier half is read as context, so a key block that began before the tail is still found.
        var read = await logs.TailAsync(job.Id, JobReplies.TailLines * 2, cancellationToken);
        var context = Math.Max(0, read.Count - JobReplies.TailLines);
        var tail = JobLogReplies.Tail(job, redactor.RedactLines(read, context), read.Count == 0 ? 0 : read[^1].Number);
        return JobLogReplies.WithWarning(tail, redactor.Warning);
    }
}
