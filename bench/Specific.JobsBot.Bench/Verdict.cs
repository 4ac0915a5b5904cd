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
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"engine",-9} {"item",-42} {"target",-26} {"measured",-38} verdict");
        foreach (var v in verdicts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{v.Engine,-9} {v.Item,-42} {v.Target,-26} {v.Measured,-38} {v.Word}");
        }
        return text.ToString();
    }
}

/// <summary>A benchmark's whole printed output and the verdicts for the summary of `all`.</summary>
public sealed record BenchResult(string Report, IReadOnlyList<Verdict> Verdicts);
