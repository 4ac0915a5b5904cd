using System.Globalization;
using Specific.Jobs.Domain;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Threads;

/// <summary>Renders the replies in a job's thread: state changes, log excerpts and the final reply.</summary>
public sealed class ThreadReplyRenderer
{
    /// <summary>The most characters of output one reply shows (a preformatted block's limit).</summary>
    public const int ExcerptCharacters = 2900;

    private const int ReasonLength = 1500;

    /// <summary>
    /// A short reply announcing the states the job entered (queued, running), one line each in order: states that
    /// came before the thread's turn to post share one reply, since Slack allows a channel about one post a second.
    /// </summary>
    public SlackMessage StateChanged(JobRecord job, params IReadOnlyList<JobState> states) => StateChanged(job, states, output: null);

    /// <summary>The states, and when the job is already running, its first output under them in the same reply.</summary>
    public SlackMessage StateChanged(JobRecord job, IReadOnlyList<JobState> states, LogExcerpt? output)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentOutOfRangeException.ThrowIfZero(states.Count, nameof(states));
        var text = string.Join('\n', states.Select(state => StateLine(job, state)));
        if (output is null)
        {
            return new SlackMessage(text, [new SectionBlock(new Mrkdwn(text))]);
        }
        var excerpt = LogExcerpt(output);
        return new SlackMessage(text + "\n" + excerpt.Text, [new SectionBlock(new Mrkdwn(text)), .. excerpt.Blocks!]);
    }

    private static string StateLine(JobRecord job, JobState state)
    {
        var emoji = JobStateText.Emoji(state);
        return state switch
        {
            JobState.Pending => $"{emoji} Recorded, waiting to be queued.",
            JobState.Queued => $"{emoji} Queued, waiting for Kubernetes.",
            JobState.Running when job.KubernetesJobName is { Length: > 0 } name =>
                $"{emoji} Running as Kubernetes Job {SlackText.Code(name)} in {SlackText.Code(job.Namespace ?? job.Environment)}.",
            JobState.Running => $"{emoji} Running in {SlackText.Code(job.Environment)}.",
            _ => $"{emoji} {JobStateText.Label(state)}.",
        };
    }

    /// <summary>A batch of output lines as one reply; says how many earlier lines were skipped when output floods.</summary>
    public SlackMessage LogExcerpt(LogExcerpt excerpt)
    {
        ArgumentNullException.ThrowIfNull(excerpt);
        var blocks = new List<Block>();
        var elements = new List<RichTextContainer>();
        if (excerpt.SkippedBefore > 0)
        {
            elements.Add(new RichTextSection([new RichTextText(SkippedText(excerpt.SkippedBefore), new RichTextStyle(Italic: true))]));
        }
        elements.Add(new RichTextPreformatted([new RichTextText(excerpt.Text)]));
        blocks.Add(new RichTextBlock(elements));

        var range = excerpt.FirstShown == excerpt.LastNumber
            ? $"line {SlackText.Count(excerpt.FirstShown)}"
            : $"lines {SlackText.Count(excerpt.FirstShown)}–{SlackText.Count(excerpt.LastNumber)}";
        var fallback = excerpt.SkippedBefore > 0 ? $"Output, {range} ({SkippedText(excerpt.SkippedBefore)})" : $"Output, {range}";
        return new SlackMessage(fallback, blocks);
    }

    /// <summary>
    /// The last reply: the outcome (exit code or reason, and how long it ran) and the tail of the output; says when
    /// the full log follows as a file. It mentions the person who started the job from Slack: the thread is the bot's,
    /// so nobody is subscribed to it, and the mention is what tells them it ended.
    /// </summary>
    /// <param name="redactionWarning">Said under the output when secret values could not all be read (<c>ITextRedactor.Warning</c>).</param>
    public SlackMessage Final(JobRecord job, LogExcerpt tail, long totalLines, bool fullLogFollows, DateTimeOffset now, string? redactionWarning = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(tail);
        var headline = Requester(job) is { } mention ? $"{mention} {Headline(job, now)}" : Headline(job, now);
        var blocks = new List<Block> { new SectionBlock(new Mrkdwn(headline)) };

        if (tail.IsEmpty)
        {
            blocks.Add(new ContextBlock([new Mrkdwn("No output.")]));
        }
        else
        {
            var shownLines = tail.LastNumber - tail.FirstShown + 1;
            var label = shownLines == totalLines ? "Output" : $"Last {SlackText.Count(shownLines, "line", "lines")} of {SlackText.Count(totalLines)}";
            blocks.Add(new RichTextBlock(
            [
                new RichTextSection([new RichTextText(label, new RichTextStyle(Bold: true))]),
                new RichTextPreformatted([new RichTextText(tail.Text)]),
            ]));
        }

        if (redactionWarning is { Length: > 0 })
        {
            blocks.Add(new ContextBlock([new Mrkdwn(":warning: " + SlackText.EscapeWithin(redactionWarning, ReasonLength))]));
        }

        if (fullLogFollows)
        {
            blocks.Add(new ContextBlock([new Mrkdwn($"The full log ({SlackText.Count(totalLines, "line", "lines")}) follows as a file.")]));
        }
        return new SlackMessage(headline, blocks);
    }

    /// <summary>
    /// The direct message to the person who started a long job, once it ended: the outcome, the service and
    /// environment, how long it took, and a link to its thread (or, when Slack gave none, its channel).
    /// </summary>
    /// <param name="after">How long a job must take for this message (<see cref="ThreadKeeperOptions.RequesterDmAfter"/>), said in its footer.</param>
    public SlackMessage JobEnded(JobRecord job, string channelId, Uri? threadLink, TimeSpan after)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        var outcome = job.State switch
        {
            JobState.Succeeded => "succeeded",
            JobState.Failed when job.ExitCode is { } code => $"failed with exit code {SlackText.Code(code.ToString(CultureInfo.InvariantCulture))}",
            JobState.Failed => "failed",
            JobState.Cancelled => "was cancelled",
            var state => JobStateText.Label(state).ToLowerInvariant(),
        };
        var took = JobMessage.Duration(JobEndNotice.Took(job));
        var where = $"{SlackText.Code(job.Service)} in {SlackText.Code(job.Environment)}";
        var thread = threadLink is null ? $"Its thread is in <#{channelId}>." : $"<{threadLink.AbsoluteUri}|Open its thread>.";
        var text = $"{JobStateText.Emoji(job.State)} Your job {SlackText.Code(job.Id)} on {where} {outcome} after {SlackText.Escape(took)}. {thread}";
        var blocks = new List<Block>
        {
            new SectionBlock(new Mrkdwn(text)),
            new ContextBlock([new Mrkdwn(
                $"You get this when a job you started takes longer than {SlackText.Escape(JobMessage.Duration(after))}. `/specific notify off` stops these messages.")]),
        };
        return new SlackMessage(text, blocks);
    }

    /// <summary>The fallback text of a full-log file's title.</summary>
    public static string FullLogTitle(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"Full log of {job.Id}";
    }

    /// <summary>The file name of a job's full log.</summary>
    public static string FullLogFileName(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"{job.Id}.log";
    }

    /// <summary>The mention of the Slack user who started the job; none for a job from elsewhere or an id of another shape.</summary>
    internal static string? Requester(JobRecord job) =>
        job.Origin.Client == JobOrigin.Slack ? SlackText.MentionOrNull(job.Origin.UserId) : null;

    private static string Headline(JobRecord job, DateTimeOffset now)
    {
        var emoji = JobStateText.Emoji(job.State);
        var timing = SlackText.Escape(JobMessage.DescribeTiming(job, now));
        var reason = job.FailureReason is { Length: > 0 } text ? SlackText.EscapeWithin(text, ReasonLength) : null;
        var code = job.ExitCode?.ToString(CultureInfo.InvariantCulture);
        return job.State switch
        {
            JobState.Succeeded => $"{emoji} *Succeeded* with exit code {SlackText.Code(code ?? "0")}, {timing}.",
            JobState.Failed when code is not null && reason is not null => $"{emoji} *Failed* with exit code {SlackText.Code(code)}, {timing}.\n{reason}",
            JobState.Failed when code is not null => $"{emoji} *Failed* with exit code {SlackText.Code(code)}, {timing}.",
            JobState.Failed => $"{emoji} *Failed*, {timing}: {reason ?? "no reason was recorded."}",
            JobState.Cancelled => reason is null ? $"{emoji} *Cancelled*, {timing}." : $"{emoji} *Cancelled*, {timing}: {reason}",
            _ => $"{emoji} *{JobStateText.Label(job.State)}*, {timing}.",
        };
    }

    private static string SkippedText(long skipped) => $"… {SlackText.Count(skipped, "earlier line", "earlier lines")} skipped";
}
