using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>A parsed <c>labelSelector</c>: equality, set-based (in/notin) and existence requirements, ANDed.</summary>
internal sealed partial class LabelSelector
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    public static LabelSelector Everything { get; } = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }
        foreach (var part in SplitTopLevel(text))
        {
            var term = part.Trim();
            Match m;
            if ((m = SetPattern().Match(term)).Success)
            {
                var key = m.Groups["key"].Value;
                var values = m.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
                var negate = m.Groups["op"].Value == "notin";
                selector._requirements.Add(labels => labels.TryGetValue(key, out var v) ? values.Contains(v) != negate : negate);
            }
            else if ((m = EqualityPattern().Match(term)).Success)
            {
                var key = m.Groups["key"].Value;
                var value = m.Groups["value"].Value;
                var negate = m.Groups["op"].Value == "!=";
                selector._requirements.Add(labels => labels.TryGetValue(key, out var v) ? (v == value) != negate : negate);
            }
            else if ((m = ExistsPattern().Match(term)).Success)
            {
                var key = m.Groups["key"].Value;
                var negate = m.Groups["not"].Success;
                selector._requirements.Add(labels => labels.ContainsKey(key) != negate);
            }
            else
            {
                throw ApiException.BadRequest($"unable to parse requirement: <nil>: Invalid value: \"{term}\": invalid label selector");
            }
        }
        return selector;
    }

    public bool Matches(IReadOnlyDictionary<string, string>? labels) => _requirements.TrueForAll(r => r(labels ?? NoLabels));

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9./_-]+)\s+(?<op>in|notin)\s+\((?<values>[^)]*)\)$")]
    private static partial Regex SetPattern();

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9./_-]+)\s*(?<op>==|=|!=)\s*(?<value>[A-Za-z0-9._-]*)$")]
    private static partial Regex EqualityPattern();

    [GeneratedRegex(@"^(?<not>!)?\s*(?<key>[A-Za-z0-9./_-]+)$")]
    private static partial Regex ExistsPattern();
}

/// <summary>A parsed <c>fieldSelector</c>: only the fields the API server indexes for the resource, as it does.</summary>
internal sealed class FieldSelector
{
    private readonly List<(string Path, string Value, bool Negate)> _terms = [];

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var (op, at) = term.IndexOf("!=", StringComparison.Ordinal) is var ne and >= 0 ? ("!=", ne)
                : term.IndexOf("==", StringComparison.Ordinal) is var eq2 and >= 0 ? ("==", eq2)
                : term.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? ("=", eq)
                : throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            var field = term[..at].Trim();
            if (!type.FieldSelectors.Contains(field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }
            selector._terms.Add((field, term[(at + op.Length)..].Trim(), op == "!="));
        }
        return selector;
    }

    /// <summary>Matches the field values captured when the object was stored (<see cref="Store.StoredObject.Fields"/>).</summary>
    public bool Matches(IReadOnlyDictionary<string, string> fields) => _terms.TrueForAll(t => (fields.GetValueOrDefault(t.Path, "") == t.Value) != t.Negate);

    /// <summary>A field's value as the API server compares it: the JSON value as text, "" when absent.</summary>
    public static string ValueAt(JsonNode obj, string path)
    {
        JsonNode? node = obj;
        foreach (var segment in path.Split('.'))
        {
            node = node?[segment];
        }
        return node switch
        {
            null => "",
            JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
            _ => node.ToString(),
        };
    }
}
