using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Specific.Jobs.Redaction;

/// <summary>
/// The secret values of one job, with the encodings and simple transforms (<see cref="SecretTransforms"/>) a command is
/// likely to print them in, found in one scan of the text.
/// </summary>
/// <remarks>
/// Values shorter than <see cref="MinimumLength"/> are left alone: "1", "on" or "80" would blank out pieces of every
/// line, and a value that short protects nothing a guess would not find. Values shorter than
/// <see cref="WholeWordBelow"/> match only as a whole word, so a Secret holding "true" or "admin" does not tear up
/// "untrue" or "administrator", while "s3cr3t" between ':' and '@' in a URL is still caught.
/// </remarks>
public sealed class SecretValueSet
{
    /// <summary>Shorter values are not redacted by value (see the remarks).</summary>
    public const int MinimumLength = 4;

    /// <summary>Values shorter than this match only where no letter or digit touches them on either side.</summary>
    public const int WholeWordBelow = 8;

    /// <summary>
    /// A longer value is matched by its lines only: a stream keeps back as many characters as the longest value, so
    /// this bounds the memory a file upload needs. A Secret is at most 1 MiB; a certificate bundle need not be whole.
    /// </summary>
    public const int MaxLength = 64 * 1024;

    private readonly SearchValues<string>? _search;
    private readonly Dictionary<char, Candidate[]> _byFirstChar;

    private SecretValueSet(Dictionary<string, bool> candidates)
    {
        Count = candidates.Count;
        LongestLength = candidates.Count == 0 ? 0 : candidates.Keys.Max(c => c.Length);
        // One scan for every candidate, in any case; each hit is then checked in the candidate's own comparison.
        _search = candidates.Count == 0 ? null : SearchValues.Create([.. candidates.Keys], StringComparison.OrdinalIgnoreCase);
        _byFirstChar = candidates
            .Select(c => new Candidate(c.Key, c.Value ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            .GroupBy(c => char.ToUpperInvariant(c.Text[0]))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.Text.Length).ToArray());
    }

    /// <summary>A text to find, and whether it matches in any case.</summary>
    private readonly record struct Candidate(string Text, StringComparison Comparison);

    /// <summary>No values: only shapes are redacted.</summary>
    public static SecretValueSet Empty { get; } = new([]);

    /// <summary>How many texts (values and encodings) are matched.</summary>
    public int Count { get; }

    /// <summary>The longest of them.</summary>
    public int LongestLength { get; }

    /// <summary>The set for these values: each value, each of its lines, its common encodings and its transforms.</summary>
    public static SecretValueSet Create(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        // Each text, and whether it matches in any case (any one way of reaching it that allows it wins).
        var candidates = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var raw in values)
        {
            // A value read from a file usually ends with a newline that the command's output does not repeat.
            var value = raw.TrimEnd('\r', '\n');
            AddWithEncodings(candidates, value);
            if (value.Contains('\n', StringComparison.Ordinal))
            {
                // A multi-line value may reach Slack one line per excerpt: each line is secret on its own.
                foreach (var line in value.Split('\n'))
                {
                    Add(candidates, line.TrimEnd('\r'));
                }
            }
        }
        return candidates.Count == 0 ? Empty : new SecretValueSet(candidates);
    }

    private static void AddWithEncodings(Dictionary<string, bool> candidates, string value)
    {
        if (!Add(candidates, value))
        {
            return;
        }
        SecretTransforms.AddTo(value, (text, anyCase) => Add(candidates, text, anyCase));
        var bytes = Encoding.UTF8.GetBytes(value);
        // Padded and unpadded: the longest match wins, so padding goes too when it is there.
        var base64 = Convert.ToBase64String(bytes);
        Add(candidates, base64);
        Add(candidates, base64.TrimEnd('='));
        Add(candidates, base64.TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        // `echo $SECRET | base64` encodes the newline echo adds.
        var echoed = Convert.ToBase64String([.. bytes, (byte)'\n']);
        Add(candidates, echoed);
        Add(candidates, echoed.TrimEnd('='));
        Add(candidates, Uri.EscapeDataString(value));
        // JSON as most serializers write it, and as System.Text.Json does by default (\u002B for '+').
        Add(candidates, JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value);
        Add(candidates, JsonEncodedText.Encode(value, JavaScriptEncoder.Default).Value);
    }

    private static bool Add(Dictionary<string, bool> candidates, string candidate, bool anyCase = false)
    {
        if (candidate.Length < MinimumLength || candidate.Length > MaxLength || string.IsNullOrWhiteSpace(candidate))
        {
            return false;
        }
        candidates[candidate] = anyCase || candidates.GetValueOrDefault(candidate);
        return true;
    }

    /// <summary>Adds the span of every occurrence in <paramref name="text"/> to <paramref name="spans"/> (may overlap).</summary>
    public void Locate(string text, List<SecretSpan> spans)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(spans);
        if (_search is null)
        {
            return;
        }
        var position = 0;
        while (position < text.Length)
        {
            var found = text.AsSpan(position).IndexOfAny(_search);
            if (found < 0)
            {
                return;
            }
            var at = position + found;
            // Longest first; the next search starts one character on, so a value overlapping this one is found too.
            foreach (var candidate in _byFirstChar.GetValueOrDefault(char.ToUpperInvariant(text[at]), []))
            {
                var length = candidate.Text.Length;
                if (at + length <= text.Length
                    && text.AsSpan(at, length).Equals(candidate.Text, candidate.Comparison)
                    && (length >= WholeWordBelow || IsWholeWord(text, at, length)))
                {
                    spans.Add(new SecretSpan(at, length));
                    break;
                }
            }
            position = at + 1;
        }
    }

    private static bool IsWholeWord(string text, int start, int length) =>
        (start == 0 || !char.IsLetterOrDigit(text[start - 1]))
        && (start + length >= text.Length || !char.IsLetterOrDigit(text[start + length]));
}
