using Specific.Jobs.Domain;
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

    /// <summary>How many of the shown lines are cut at <see cref="MaxLineLength"/>: shown, but not whole.</summary>
    public int CutLines { get; init; }

    /// <summary>True when this excerpt shows every one of a log's <paramref name="lines"/> lines, each whole.</summary>
    public bool ShowsAllOf(long lines) => lines == 0 || (!IsEmpty && FirstShown == 1 && LastNumber == lines && CutLines == 0);

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
        var cut = 0;
        var length = 0;
        var index = lines.Count - 1;
        for (; index >= 0; index--)
        {
            var whole = SlackText.Printable(lines[index].Text.TrimEnd('\r'));
            var text = SlackText.Truncate(whole, MaxLineLength);
            var added = text.Length + (shown.Count > 0 ? 1 : 0);
            if (length + added > maxChars)
            {
                break;
            }
            shown.Add(text);
            cut += text.Length < whole.Length ? 1 : 0;
            length += added;
        }
        shown.Reverse();

        var firstShownIndex = index + 1;
        var joined = string.Join('\n', shown);
        return new LogExcerpt(
            joined.Trim().Length == 0 ? "(blank lines)" : joined,
            lines[firstShownIndex].Number,
            lines[^1].Number,
            alreadySkipped + firstShownIndex)
        {
            CutLines = cut,
        };
    }
}
