using System.Globalization;
using System.Text;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.JobsBot.Threads;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Commands;

/// <summary>Renders <c>job logs</c> answers as Block Kit: a headline, the lines preformatted, and what else there is.</summary>
public static class JobLogReplies
{
    /// <summary>A matching line longer than this is cut, so one long line cannot crowd out the others.</summary>
    public const int GrepLineLength = 300;

    /// <summary>The answer with the redactor's warning (Secret values it could not read) added, when there is one.</summary>
    public static SlackMessage WithWarning(SlackMessage reply, string? warning)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (warning is null)
        {
            return reply;
        }

        var note = $":warning: {warning}";
        return reply with { Text = $"{reply.Text}\n{note}", Blocks = [.. reply.Blocks ?? [], new ContextBlock([new Mrkdwn(note)])] };
    }

    /// <summary>The last lines of the log, newest kept when they do not all fit.</summary>
    public static SlackMessage Tail(JobRecord job, IReadOnlyList<LogLine> lines, long lastNumber)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(lines);
        var headline = Headline(job);
        if (lines.Count == 0)
        {
            var empty = $"{headline}. No output stored.";
            return SlackMessage.Ephemeral(empty, [new SectionBlock(new Mrkdwn(empty))]);
        }

        var excerpt = LogExcerpt.Fit(lines, 0, ThreadReplyRenderer.ExcerptCharacters);
        var range = excerpt.FirstShown <= 1
            ? $"all {SlackText.Count(lastNumber, "line", "lines")}"
            : $"lines {SlackText.Count(excerpt.FirstShown)}–{SlackText.Count(lastNumber)} of {SlackText.Count(lastNumber)}";
        var text = $"{headline}. Output, {range}.";
        return SlackMessage.Ephemeral(text,
        [
            new SectionBlock(new Mrkdwn(text)),
            new RichTextBlock([new RichTextPreformatted([new RichTextText(excerpt.Text)])]),
            new ContextBlock([new Mrkdwn(MoreHint(job))]),
        ]);
    }

    /// <summary>A job kept past the log retention: its lines were deleted, and when it ended says why.</summary>
    public static SlackMessage LinesDeleted(JobRecord job, string why)
    {
        ArgumentNullException.ThrowIfNull(job);
        var text = $"{Headline(job)}. {why}";
        return SlackMessage.Ephemeral(text, [new SectionBlock(new Mrkdwn(text))]);
    }

    /// <summary>The first lines containing <paramref name="searched"/>, each with its line number, and how many more matched.</summary>
    public static SlackMessage Grep(JobRecord job, string searched, LogSearchResult found)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(searched);
        ArgumentNullException.ThrowIfNull(found);
        var what = SlackText.Code(SlackText.Truncate(searched, 100));
        if (found.MatchCount == 0)
        {
            var none = $"{Headline(job)}. No line contains {what} (case ignored).";
            return SlackMessage.Ephemeral(none, [new SectionBlock(new Mrkdwn(none))]);
        }

        var width = found.Lines.Count == 0 ? 1 : found.Lines[^1].Number.ToString(CultureInfo.InvariantCulture).Length;
        var shown = new StringBuilder();
        var shownCount = 0;
        foreach (var line in found.Lines)
        {
            var row = $"{line.Number.ToString(CultureInfo.InvariantCulture).PadLeft(width)}  {SlackText.Truncate(SlackText.Printable(line.Text.TrimEnd('\r')), GrepLineLength)}";
            var added = row.Length + (shownCount > 0 ? 1 : 0);
            if (shown.Length + added > ThreadReplyRenderer.ExcerptCharacters)
            {
                break;
            }

            shown.Append(shownCount > 0 ? "\n" : "").Append(row);
            shownCount++;
        }

        var matched = found.MatchCountIsCapped
            ? $"more than {SlackText.Count(LogSearchResult.CountLimit)} lines contain {what}"
            : $"{SlackText.Count(found.MatchCount, "line contains", "lines contain")} {what}";
        var more = Math.Max(0, Math.Min(found.MatchCount, LogSearchResult.CountLimit) - shownCount);
        var rest = more == 0
            ? ""
            : found.MatchCountIsCapped
                ? $" Showing the first {SlackText.Count(shownCount)}; more than {SlackText.Count(more)} more match."
                : $" Showing the first {SlackText.Count(shownCount)}; {SlackText.Count(more)} more {(more == 1 ? "matches" : "match")}.";
        var text = $"{Headline(job)}: {matched} (case ignored).{rest}";
        return SlackMessage.Ephemeral(text,
        [
            new SectionBlock(new Mrkdwn(text)),
            new RichTextBlock([new RichTextPreformatted([new RichTextText(shown.ToString())])]),
            new ContextBlock([new Mrkdwn(MoreHint(job))]),
        ]);
    }

    private static string Headline(JobRecord job) =>
        $"{JobStateText.Emoji(job.State)} {SlackText.Code(job.Id)} on {SlackText.Code(job.Service)} in {SlackText.Escape(job.Environment)}, {job.State.ToWire()}";

    private static string MoreHint(JobRecord job) =>
        $"`{JobCommandUsage.SlashCommand} job logs {job.Id} --file` uploads the whole log; `--grep <text>` finds lines in it.";
}
