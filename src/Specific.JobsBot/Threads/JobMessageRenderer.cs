using Specific.Jobs.Domain;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Threads;

/// <summary>Turns a <see cref="JobMessage"/> into the job's Slack message: Block Kit plus a text fallback, within limits.</summary>
public sealed class JobMessageRenderer
{
    /// <summary>The block_id of the buttons row; a button click names it back.</summary>
    public const string ActionsBlockId = "job_actions";

    /// <summary>The block_id of the command's preformatted text.</summary>
    public const string CommandBlockId = "job_command";

    /// <summary>The block_id of the note that says the command was shortened.</summary>
    public const string CommandNoteBlockId = "job_command_note";

    /// <summary>The block_id of the outcome: the exit code or the failure reason.</summary>
    public const string OutcomeBlockId = "job_outcome";

    /// <summary>The block_id of the engine's notes about how it built the Job.</summary>
    public const string NotesBlockId = "job_notes";

    /// <summary>The block_id of the identity line: the job id, what it re-runs, its Kubernetes Job and image.</summary>
    public const string IdentityBlockId = "job_identity";

    /// <summary>How much of a command the message shows; the rest is cut with a note.</summary>
    public const int CommandPreviewLength = 2000;

    private const int TitleLength = 120;
    private const int ReasonLength = 1500;
    private const int NoteLength = 300;
    private const int MaxNotes = 8;
    private const int FallbackTitleLength = 200;

    /// <summary>The message for a job.</summary>
    public SlackMessage Render(JobMessage job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var fields = new List<TextObject>
        {
            new Mrkdwn("*Service*\n" + SlackText.Code(job.Service)),
            new Mrkdwn("*Environment*\n" + SlackText.Code(job.Environment)),
            new Mrkdwn("*Started by*\n" + StartedBy(job)),
            new Mrkdwn("*Status*\n" + SlackText.Escape(Status(job))),
        };
        if (job.ApprovedByUserId is { Length: > 0 } approver)
        {
            fields.Add(new Mrkdwn("*Approved by*\n" + SlackText.Mention(approver)));
        }

        if (job.TimeLimit is { } limit)
        {
            fields.Add(new Mrkdwn("*Time limit*\n" + SlackText.Escape(limit)));
        }

        if (job.Task is { } task)
        {
            fields.Add(new Mrkdwn("*Saved task*\n" + SlackText.Code(task)));
        }

        var blocks = new List<Block>
        {
            new HeaderBlock(new PlainText(SlackText.Truncate($"{job.StateEmoji} {job.Title}", TitleLength), Emoji: true)),
            new SectionBlock { Fields = fields },
        };

        blocks.AddRange(CommandBlocks(job.Command));

        if (Outcome(job) is { } outcome)
        {
            blocks.Add(new SectionBlock(new Mrkdwn(outcome)) { BlockId = OutcomeBlockId });
        }

        if (job.Notes.Count > 0)
        {
            blocks.Add(new ContextBlock(NoteElements(job.Notes)) { BlockId = NotesBlockId });
        }

        blocks.Add(new ContextBlock([new Mrkdwn(Identity(job))]) { BlockId = IdentityBlockId });

        var buttons = Buttons(job);
        if (buttons.Count > 0)
        {
            blocks.Add(new ActionsBlock(buttons) { BlockId = ActionsBlockId });
        }

        return new SlackMessage(Fallback(job), blocks);
    }

    /// <summary>The message for a job record as of <paramref name="now"/>.</summary>
    public SlackMessage Render(JobRecord job, DateTimeOffset now) => Render(JobMessage.From(job, now));

    /// <summary>The command as preformatted text: literal, so backticks, quotes and newlines show as typed.</summary>
    internal static IEnumerable<Block> CommandBlocks(string command)
    {
        var printable = SlackText.Printable(command);
        var shown = printable.Length > CommandPreviewLength ? SlackText.Truncate(printable, CommandPreviewLength) : printable;
        yield return new RichTextBlock(
        [
            new RichTextSection([new RichTextText("Command", new RichTextStyle(Bold: true))]),
            new RichTextPreformatted([new RichTextText(shown.Length == 0 ? " " : shown)]),
        ])
        {
            BlockId = CommandBlockId,
        };
        if (shown.Length < printable.Length)
        {
            yield return new ContextBlock(
            [
                new Mrkdwn($"Command shortened: showing the first {SlackText.Count(CommandPreviewLength - 1)} of {SlackText.Count(printable.Length)} characters."),
            ])
            {
                BlockId = CommandNoteBlockId,
            };
        }
    }

    /// <summary>"Queued 3 seconds ago", "Running for 2 minutes", "Succeeded, ran for 2 minutes".</summary>
    private static string Status(JobMessage job) =>
        job.Timing.StartsWith(job.State.ToWire(), StringComparison.Ordinal)
            ? string.Concat(job.StateLabel, job.Timing.AsSpan(job.State.ToWire().Length))
            : $"{job.StateLabel}, {job.Timing}";

    private static string StartedBy(JobMessage job) =>
        job.StartedByUserId is { Length: > 0 } userId ? SlackText.Mention(userId) : SlackText.Escape(job.StartedByName);

    private static string? Outcome(JobMessage job)
    {
        var reason = job.FailureReason is { Length: > 0 } text ? SlackText.EscapeWithin(text, ReasonLength) : null;
        return job.State switch
        {
            JobState.Succeeded => $"*Exit code* {SlackText.Code((job.ExitCode ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture))}",
            JobState.Failed when job.ExitCode is { } code && reason is not null =>
                $"*Failed with exit code* {SlackText.Code(code.ToString(System.Globalization.CultureInfo.InvariantCulture))}\n{reason}",
            JobState.Failed when job.ExitCode is { } code =>
                $"*Failed with exit code* {SlackText.Code(code.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
            JobState.Failed => "*Failed:* " + (reason ?? "no reason was recorded."),
            JobState.Cancelled => reason is null ? "*Cancelled* before it finished." : "*Cancelled:* " + reason,
            _ => null,
        };
    }

    private static List<TextObject> NoteElements(IReadOnlyList<string> notes)
    {
        // Notes are written for mrkdwn (they quote names in backticks); only Slack's control characters are escaped.
        var elements = notes.Take(MaxNotes)
            .Select(note => (TextObject)new Mrkdwn("ℹ️ " + SlackText.EscapeWithin(note, NoteLength)))
            .ToList();
        if (notes.Count > MaxNotes)
        {
            elements.Add(new Mrkdwn($"… and {SlackText.Count(notes.Count - MaxNotes, "more note", "more notes")}"));
        }
        return elements;
    }

    private static string Identity(JobMessage job)
    {
        var parts = new List<string> { "Job " + SlackText.Code(job.JobId) };
        if (job.RerunOf is { Length: > 0 } rerunOf)
        {
            parts.Add("re-run of " + SlackText.Code(rerunOf));
        }
        if (job.KubernetesJobName is { Length: > 0 } name)
        {
            parts.Add("Kubernetes Job " + SlackText.Code(job.Namespace is { Length: > 0 } ns ? $"{ns}/{name}" : name));
        }
        if (job.Image is { Length: > 0 } image)
        {
            parts.Add("image " + SlackText.Code(SlackText.TruncateStart(image, 200)));
        }
        return string.Join(" · ", parts);
    }

    private static List<BlockElement> Buttons(JobMessage job)
    {
        var buttons = new List<BlockElement>();
        if (job.ShowCancel)
        {
            buttons.Add(new ButtonElement(new PlainText("Cancel"), JobMessageActions.Cancel, job.JobId)
            {
                Style = ButtonStyle.Danger,
                Confirm = new ConfirmDialog(
                    new PlainText("Cancel this job?"),
                    new Mrkdwn(SlackText.Truncate(
                        $"This stops {SlackText.Code(job.JobId)} on {SlackText.Code(job.Service)} in {SlackText.Code(job.Environment)} and deletes its Kubernetes Job.",
                        BlockKitLimits.ConfirmText)),
                    new PlainText("Cancel job"),
                    new PlainText("Keep running"))
                {
                    Style = ButtonStyle.Danger,
                },
            });
        }
        if (job.ShowRerun)
        {
            buttons.Add(new ButtonElement(new PlainText("Re-run"), JobMessageActions.Rerun, job.JobId));
        }
        if (job.ShowFullLog)
        {
            buttons.Add(new ButtonElement(new PlainText("Full log"), JobMessageActions.FullLog, job.JobId));
        }
        return buttons;
    }

    private static string Fallback(JobMessage job)
    {
        var title = SlackText.Truncate(job.Title, FallbackTitleLength);
        var text = SlackText.Escape(
            $"{job.StateEmoji} Job {title} {job.StateLabel.ToLowerInvariant()}: {job.Service} in {job.Environment}, {job.Timing}");
        return job.State == JobState.Failed && job.ExitCode is { } code
            ? text + $", exit code {code.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            : text;
    }
}
