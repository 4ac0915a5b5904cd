using System.Text;

namespace Specific.Jobs.Redaction;

/// <summary>
/// Redacts a job's secret values and the common token shapes. Line structure survives: a secret spanning lines
/// becomes one marker per line, so line numbers and line-by-line rendering stay true.
/// </summary>
public sealed class SecretRedactor : ITextRedactor, ISecretLocator
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Marker = "[redacted]";

    private readonly SecretValueSet _values;

    public SecretRedactor(SecretValueSet values, string? warning = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
        Warning = warning;
    }

    /// <summary>Token shapes only: for text that belongs to no job, or when value redaction is switched off.</summary>
    public static SecretRedactor ShapesOnly { get; } = new(SecretValueSet.Empty);

    public string? Warning { get; }

    public int LongestValue => _values.LongestLength;

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Apply(text, Locate(text));
    }

    public IReadOnlyList<SecretSpan> Locate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return [];
        }
        var spans = new List<SecretSpan>();
        _values.Locate(text, spans);
        SecretShapes.Locate(text, spans);
        return Merge(spans);
    }

    /// <summary>Sorts spans and joins the ones that overlap or touch.</summary>
    public static List<SecretSpan> Merge(List<SecretSpan> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (spans.Count < 2)
        {
            return spans;
        }
        spans.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var merged = new List<SecretSpan> { spans[0] };
        foreach (var span in spans.Skip(1))
        {
            var last = merged[^1];
            if (span.Start <= last.End)
            {
                merged[^1] = new SecretSpan(last.Start, Math.Max(last.End, span.End) - last.Start);
            }
            else
            {
                merged.Add(span);
            }
        }
        return merged;
    }

    /// <summary>
    /// <paramref name="text"/> with each span replaced by <see cref="Marker"/>; a span that covers line breaks keeps
    /// them, with one marker per non-empty piece.
    /// </summary>
    public static string Apply(string text, IReadOnlyList<SecretSpan> spans)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(spans);
        if (spans.Count == 0)
        {
            return text;
        }
        var result = new StringBuilder(text.Length);
        var position = 0;
        foreach (var span in spans)
        {
            result.Append(text, position, span.Start - position);
            AppendMarkers(result, text.AsSpan(span.Start, span.Length));
            position = span.End;
        }
        result.Append(text, position, text.Length - position);
        return result.ToString();
    }

    private static void AppendMarkers(StringBuilder result, ReadOnlySpan<char> secret)
    {
        var first = true;
        foreach (var range in secret.Split('\n'))
        {
            if (!first)
            {
                result.Append('\n');
            }
            first = false;
            var piece = secret[range];
            if (piece.TrimEnd('\r').Length > 0)
            {
                result.Append(Marker);
            }
            if (piece.EndsWith("\r", StringComparison.Ordinal))
            {
                result.Append('\r');
            }
        }
    }
}
