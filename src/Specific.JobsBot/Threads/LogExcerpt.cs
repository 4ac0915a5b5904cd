using Specific.Jobs.Logs;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Threads;

/// <summary>
/// The lines one thread reply shows. When there are more than fit, the newest lines win and the rest are counted
/// as skipped.
/// </summary>
/// <param name="Text">The shown lines joined by newlines, ready for a preformatted block.</param>
/// <param name="FirstShown">The number of the first shown line (0 when none).</param>
/// <param name="LastNumber">The number of the newest line this excerpt covers (shown or skipped).</param>
/// <param name="SkippedBefore">How many lines before <paramref name="FirstShown"/> are not shown anywhere in this reply.</param>
public sealed record LogExcerpt(string Text, long FirstShown, long LastNumber, long SkippedBefore)
{
    /// <summary>A line longer than this is cut, so one huge line cannot hide all the others.</summary>
    public const int MaxLineLength = 1000;

    public bool IsEmpty => FirstShown == 0;

    /// <summary>
    /// Fits the newest of <paramref name="lines"/> (in order) into <paramref name="maxChars"/>, counting
    /// <paramref name="alreadySkipped"/> earlier lines (not read at all) as skipped too.
    /// </summary>
    public static LogExcerpt Fit(IReadOnlyList<LogLine> lines, long alreadySkipped, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, MaxLineLength + 1);
        if (lines.Count == 0)
        {
            return new LogExcerpt("", 0, 0, alreadySkipped);
        }

        var shown = new List<string>();
        var length = 0;
        var index = lines.Count - 1;
        for (; index >= 0; index--)
        {
            var text = SlackText.Truncate(SlackText.Printable(lines[index].Text.TrimEnd('\r')), MaxLineLength);
            var added = text.Length + (shown.Count > 0 ? 1 : 0);
            if (length + added > maxChars)
            {
                break;
            }
            shown.Add(text);
            length += added;
        }
        shown.Reverse();

        var firstShownIndex = index + 1;
        var joined = string.Join('\n', shown);
        return new LogExcerpt(
            joined.Trim().Length == 0 ? "(blank lines)" : joined,
            lines[firstShownIndex].Number,
            lines[^1].Number,
            alreadySkipped + firstShownIndex);
    }
}
