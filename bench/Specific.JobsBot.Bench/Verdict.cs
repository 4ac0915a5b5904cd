using System.Globalization;
using System.Text;

namespace Specific.JobsBot.Bench;

/// <summary>One target of issue 8 as one run measured it, on one job engine ("-" where the engine plays no part).</summary>
public sealed record Verdict(string Item, string Target, string Measured, bool? Met, string Engine = "-")
{
    /// <summary>"ok", "MISSED", or "skipped" when the run could not measure it.</summary>
    public string Word => Met switch { true => "ok", false => "MISSED", null => "skipped" };

    public static string Table(IEnumerable<Verdict> verdicts)
    {
        var rows = verdicts.ToList();
        // Columns as wide as their longest cell, so both engines' rows of a long item still line up.
        var item = rows.Select(v => v.Item.Length).Append(42).Max();
        var target = rows.Select(v => v.Target.Length).Append(26).Max();
        var measured = rows.Select(v => v.Measured.Length).Append(38).Max();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"engine",-9} {"item".PadRight(item)} {"target".PadRight(target)} {"measured".PadRight(measured)} verdict");
        foreach (var v in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{v.Engine,-9} {v.Item.PadRight(item)} {v.Target.PadRight(target)} {v.Measured.PadRight(measured)} {v.Word}");
        }
        return text.ToString();
    }
}

/// <summary>A benchmark's whole printed output and the verdicts for the summary of `all`.</summary>
public sealed record BenchResult(string Report, IReadOnlyList<Verdict> Verdicts);
