using System.Text;

namespace Specific.Jobs.Redaction;

/// <summary>
/// Redacts a long text that arrives in pieces (a log streamed into a file), never holding all of it. It keeps back the
/// last (longest value − 1) characters, rounded back to a line start, so a value split across two pieces is still
/// found whole; a shape that reaches the end of what has arrived (a key block without its END yet) is kept back too.
/// </summary>
/// <remarks>
/// Built on <see cref="ISecretLocator"/>. A redactor without it (a test fake) gets each piece redacted on its own.
/// </remarks>
public sealed class SecretStreamRedactor
{
    /// <summary>Text is released in pieces of about this size beyond what must be kept back.</summary>
    public const int ChunkSize = 16 * 1024;

    /// <summary>
    /// A line longer than this is cut mid-line, and an unfinished key block released (redacted up to here), to bound
    /// memory. Key lines after that point are found only if the block's END follows; a real private key is far smaller.
    /// </summary>
    public const int MaxPending = 1024 * 1024;

    private readonly ITextRedactor _redactor;
    private readonly ISecretLocator? _locator;
    private readonly int _keepBack;
    private readonly int _maxPending;
    private readonly StringBuilder _pending = new();

    // When to look again: after a look that released nothing (a key block still open), wait for another chunk, so a
    // long wait never rescans the pending text on every piece.
    private int _releaseAt;

    // The first line of a secret still open when the memory bound forced a release (a key block's BEGIN line): read
    // again before the pending text, never written, so the block's later lines are still recognised.
    private string _openedBy = "";

    // Characters at the start of the pending text already known to be secret: the rest of a secret that began in
    // text already released.
    private int _knownSecret;

    /// <param name="maxPending">The memory bound in characters beyond the kept-back window; <see cref="MaxPending"/> unless a test says otherwise.</param>
    public SecretStreamRedactor(ITextRedactor redactor, int maxPending = MaxPending)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        _redactor = redactor;
        _locator = redactor as ISecretLocator;
        _keepBack = Math.Max((_locator?.LongestValue ?? 0) - 1, 0);
        _maxPending = Math.Max(maxPending, ChunkSize) + _keepBack;
        _releaseAt = _keepBack + ChunkSize;
    }

    /// <summary>How many characters are kept back between pieces.</summary>
    public int KeepBack => _keepBack;

    /// <summary>Takes the next piece; returns the redacted text that can be written now (often empty).</summary>
    public string Push(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (_locator is null)
        {
            return _redactor.Redact(piece);
        }
        _pending.Append(piece);
        if (_pending.Length < _releaseAt)
        {
            return "";
        }
        var released = Release(final: false);
        _releaseAt = Math.Max(_keepBack + ChunkSize, _pending.Length + ChunkSize);
        return released;
    }

    /// <summary>The rest, redacted, once the last piece has been pushed.</summary>
    public string Complete() => _locator is null || _pending.Length == 0 ? "" : Release(final: true);

    private string Release(bool final)
    {
        var text = _pending.ToString();
        var spans = Locate(text);
        if (_knownSecret > 0)
        {
            spans.Add(new SecretSpan(0, Math.Min(_knownSecret, text.Length)));
            spans = SecretRedactor.Merge(spans);
        }

        var cut = final ? text.Length : CutPoint(text, spans);
        if (cut <= 0)
        {
            return "";
        }

        var released = new List<SecretSpan>();
        var carried = 0;
        var openedBefore = _openedBy;
        _openedBy = "";
        foreach (var span in spans)
        {
            if (span.Start >= cut)
            {
                break;
            }
            released.Add(new SecretSpan(span.Start, Math.Min(span.End, cut) - span.Start));
            carried = Math.Max(carried, span.End - cut);
            if (!final && span.End >= text.Length)
            {
                // Still the block opened earlier: keep its first line, not a line from its middle.
                var lineEnd = text.IndexOf('\n', span.Start);
                _openedBy = span.Start == 0 && openedBefore.Length > 0
                    ? openedBefore
                    : text[span.Start..(lineEnd < 0 ? text.Length : lineEnd + 1)];
            }
        }
        _knownSecret = carried;
        _pending.Remove(0, cut);
        return SecretRedactor.Apply(text[..cut], released);
    }

    /// <summary>The secrets in the pending text, reading the line that opened a still-open secret before it.</summary>
    private List<SecretSpan> Locate(string text)
    {
        if (_openedBy.Length == 0)
        {
            return [.. _locator!.Locate(text)];
        }
        var shift = _openedBy.Length;
        var spans = new List<SecretSpan>();
        foreach (var span in _locator!.Locate(_openedBy + text))
        {
            var start = Math.Max(span.Start - shift, 0);
            if (span.End - shift > start)
            {
                spans.Add(new SecretSpan(start, span.End - shift - start));
            }
        }
        return spans;
    }

    /// <summary>Where to stop releasing: before the kept-back tail, at a line start, never inside a secret that may go on.</summary>
    private int CutPoint(string text, List<SecretSpan> spans)
    {
        var limit = text.Length - _keepBack;
        foreach (var span in spans)
        {
            if (span.End >= text.Length && span.Start < limit)
            {
                limit = span.Start;
            }
        }
        if (limit <= 0)
        {
            return text.Length >= _maxPending ? text.Length - _keepBack : 0;
        }
        // Shapes live within a line (a token after "Bearer "), so a line is never released in two parts.
        var lineStart = text.LastIndexOf('\n', limit - 1) + 1;
        if (lineStart > 0)
        {
            return lineStart;
        }
        return text.Length >= _maxPending ? limit : 0;
    }
}
