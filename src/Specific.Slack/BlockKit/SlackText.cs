using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Specific.Slack.BlockKit;

/// <summary>Safe text for Slack: mrkdwn escaping, inline code, and truncation that never splits a character.</summary>
public static partial class SlackText
{
    /// <summary>The ellipsis appended to shortened text.</summary>
    public const string Ellipsis = "…";

    /// <summary>Escapes the three characters Slack's mrkdwn treats as control (&amp;, &lt;, &gt;).</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
    }

    /// <summary>Escaped text of at most <paramref name="maxLength"/> characters: shortens the text, never an escape.</summary>
    public static string EscapeWithin(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var raw = text;
        var escaped = Escape(raw);
        while (escaped.Length > maxLength)
        {
            raw = Truncate(raw, Math.Max(Ellipsis.Length, raw.Length - (escaped.Length - maxLength)));
            escaped = Escape(raw);
        }
        return escaped;
    }

    /// <summary>
    /// Text as inline code (<c>`x`</c>), escaped. Backticks and newlines inside cannot be shown in inline code,
    /// so they become look-alikes ('ˋ' and '⏎').
    /// </summary>
    public static string Code(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var safe = Escape(text).Replace('`', 'ˋ').Replace("\r\n", "⏎", StringComparison.Ordinal).Replace('\n', '⏎');
        return safe.Length == 0 ? "` `" : "`" + safe + "`";
    }

    /// <summary>A user mention that Slack renders as the person's name.</summary>
    public static string Mention(string userId) => "<@" + userId + ">";

    /// <summary>
    /// True when <paramref name="id"/> has the shape of a Slack user id (U… or, on Enterprise Grid, W…): only such an id
    /// may go into <c>&lt;@…&gt;</c> or a DM's channel, so a stored value can never smuggle <c>&lt;!channel&gt;</c> into a message.
    /// </summary>
    public static bool IsUserId(string? id) => id is not null && UserIdShape().IsMatch(id);

    /// <summary>The mention of <paramref name="userId"/>, or null when it is not a Slack user id.</summary>
    public static string? MentionOrNull(string? userId) => IsUserId(userId) ? Mention(userId!) : null;

    /// <summary>At most <paramref name="maxLength"/> characters, ending in "…" when shortened; never splits a surrogate pair.</summary>
    public static string Truncate(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Ellipsis.Length);
        if (text.Length <= maxLength)
        {
            return text;
        }
        var keep = maxLength - Ellipsis.Length;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }
        return string.Concat(text.AsSpan(0, keep), Ellipsis);
    }

    /// <summary>The last <paramref name="maxLength"/> characters, starting with "…" when shortened.</summary>
    public static string TruncateStart(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Ellipsis.Length);
        if (text.Length <= maxLength)
        {
            return text;
        }
        var start = text.Length - (maxLength - Ellipsis.Length);
        if (start < text.Length && char.IsLowSurrogate(text[start]))
        {
            start++;
        }
        return string.Concat(Ellipsis, text.AsSpan(start));
    }

    /// <summary>A count with thousands separators ("1,234"), the same on every machine.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>"1 line" or "1,234 lines".</summary>
    public static string Count(long value, string singular, string plural) =>
        Count(value) + " " + (value == 1 ? singular : plural);

    /// <summary>Removes terminal colour codes and control characters Slack would show as boxes, keeping tabs and newlines.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('\u001b', StringComparison.Ordinal))
        {
            text = AnsiEscape().Replace(text, "");
        }
        if (!text.Any(c => char.IsControl(c) && c is not '\n' and not '\t'))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsControl(c) || c is '\n' or '\t')
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    [GeneratedRegex(@"\A[UW][A-Z0-9]{2,31}\z")]
    private static partial Regex UserIdShape();

    [GeneratedRegex(@"\x1B(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")]
    private static partial Regex AnsiEscape();
}
