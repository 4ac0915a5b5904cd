using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Specific.JobsBot.Commands;

/// <summary>
/// How a person writes a job's time limit, in <c>--timeout</c> and in the run form: hours, minutes and seconds in that
/// order, each a number and its letter (<c>90s</c>, <c>30m</c>, <c>2h</c>, <c>1h30m</c>).
/// </summary>
public static partial class TimeoutText
{
    /// <summary>The accepted forms, for answers that say how to write one.</summary>
    public const string Forms = "`90s`, `30m`, `2h` or `1h30m`";

    /// <summary>Reads a limit; false when the text is not one (the value is then zero).</summary>
    public static bool TryParse(string? text, out TimeSpan limit)
    {
        limit = TimeSpan.Zero;
        var match = Duration().Match(text?.Trim() ?? "");
        if (!match.Success)
        {
            return false;
        }

        limit = TimeSpan.FromHours(Part(match, "h")) + TimeSpan.FromMinutes(Part(match, "m")) + TimeSpan.FromSeconds(Part(match, "s"));
        return true;
    }

    /// <summary>A limit as it would be typed: <c>10m</c>, <c>1h30m</c>, <c>45s</c>; what a re-run form is pre-filled with.</summary>
    public static string Format(TimeSpan limit)
    {
        var seconds = (long)Math.Ceiling(limit.TotalSeconds);
        if (seconds <= 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        Append(text, seconds / 3600, 'h');
        Append(text, seconds % 3600 / 60, 'm');
        Append(text, seconds % 60, 's');
        return text.ToString();
    }

    private static void Append(StringBuilder text, long value, char unit)
    {
        if (value > 0)
        {
            text.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }

    private static int Part(Match match, string unit) =>
        match.Groups[unit].Success ? int.Parse(match.Groups[unit].Value, CultureInfo.InvariantCulture) : 0;

    // Bounded digit counts keep every part far from overflow; the lookahead refuses the empty string.
    [GeneratedRegex(@"^(?=\d)(?:(?<h>\d{1,5})h)?(?:(?<m>\d{1,7})m)?(?:(?<s>\d{1,9})s)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}
