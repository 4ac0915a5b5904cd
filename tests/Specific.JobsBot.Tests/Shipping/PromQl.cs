using System.Text.RegularExpressions;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>One label matcher of a selector: <c>outcome=~"error|transient"</c>.</summary>
public sealed record LabelMatcher(string Label, string Operator, string Value);

/// <summary>A metric a PromQL expression reads, with its label matchers.</summary>
public sealed record MetricSelector(string Name, IReadOnlyList<LabelMatcher> Matchers);

/// <summary>
/// Reads the metric names out of a PromQL expression: every identifier that is not a function, an aggregation or a
/// keyword, with the matchers in its braces. Grouping lists (<c>by (le)</c>, <c>on()</c>), durations and strings are
/// skipped. Enough for the rules and the dashboard, which a test holds to the scrape.
/// </summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords =
        ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"];

    private static readonly HashSet<string> Aggregations =
        ["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"];

    public static IReadOnlyList<MetricSelector> Selectors(string expression)
    {
        var found = new List<MetricSelector>();
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c == '"')
            {
                i = AfterString(expression, i);
            }
            else if (c == '[')
            {
                i = expression.IndexOf(']', i) + 1;
            }
            else if (char.IsDigit(c))
            {
                while (i < expression.Length && (char.IsLetterOrDigit(expression[i]) || expression[i] == '.'))
                {
                    i++;
                }
            }
            else if (char.IsLetter(c) || c == '_' || c == ':')
            {
                var start = i;
                while (i < expression.Length && (char.IsLetterOrDigit(expression[i]) || expression[i] is '_' or ':'))
                {
                    i++;
                }

                var name = expression[start..i];
                var next = SkipSpaces(expression, i);
                var opens = next < expression.Length ? expression[next] : '\0';
                if (Keywords.Contains(name))
                {
                    i = opens == '(' ? expression.IndexOf(')', next) + 1 : i;
                }
                else if (!Aggregations.Contains(name) && opens != '(')
                {
                    var matchers = new List<LabelMatcher>();
                    if (opens == '{')
                    {
                        var close = AfterBraces(expression, next);
                        matchers.AddRange(Matcher().Matches(expression[next..close]).Select(m => new LabelMatcher(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)));
                        i = close;
                    }

                    found.Add(new MetricSelector(name, matchers));
                }
            }
            else
            {
                i++;
            }
        }

        return found;
    }

    private static int SkipSpaces(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static int AfterString(string text, int open)
    {
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i + 1;
            }
        }

        throw new FormatException($"Unclosed string in {text}");
    }

    private static int AfterBraces(string text, int open)
    {
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                i = AfterString(text, i) - 1;
            }
            else if (text[i] == '}')
            {
                return i + 1;
            }
        }

        throw new FormatException($"Unclosed braces in {text}");
    }

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Matcher();
}

/// <summary>The samples of a Prometheus text exposition (what GET /metrics answers): name and labels of each.</summary>
internal static partial class PrometheusText
{
    public static ILookup<string, IReadOnlyDictionary<string, string>> Samples(string exposition) =>
        exposition.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(Sample)
            .ToLookup(sample => sample.Name, sample => sample.Labels, StringComparer.Ordinal);

    private static (string Name, IReadOnlyDictionary<string, string> Labels) Sample(string line)
    {
        var end = line.IndexOfAny(['{', ' ']);
        var name = line[..end];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (line[end] == '{')
        {
            var close = line.LastIndexOf('}');
            foreach (Match label in Label().Matches(line[end..close]))
            {
                labels[label.Groups[1].Value] = label.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }
        }

        return (name, labels);
    }

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
