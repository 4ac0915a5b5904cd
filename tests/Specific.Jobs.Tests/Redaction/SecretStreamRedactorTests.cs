using System.Text;
using Specific.Jobs.Redaction;

namespace Specific.Jobs.Tests.Redaction;

/// <summary>A log streamed into a file in pieces: a secret split across pieces or lines is found whole.</summary>
public sealed class SecretStreamRedactorTests
{
    private const string Value = "value-that-spans-a-boundary-0123456789";

    private static string Stream(ITextRedactor redactor, IEnumerable<string> pieces)
    {
        var stream = new SecretStreamRedactor(redactor);
        var output = new StringBuilder();
        foreach (var piece in pieces)
        {
            output.Append(stream.Push(piece));
        }
        return output.Append(stream.Complete()).ToString();
    }

    /// <summary>The text cut into pieces of <paramref name="size"/> characters, ignoring lines.</summary>
    private static IEnumerable<string> Chunks(string text, int size)
    {
        for (var i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }

    private static string Filler(int lines) =>
        string.Concat(Enumerable.Range(1, lines).Select(i => $"line {i}: nothing secret here at all\n"));

    [Fact]
    public void The_window_kept_back_is_the_longest_value_minus_one()
    {
        var redactor = new SecretRedactor(SecretValueSet.Create([Value]));
        Assert.Equal(redactor.LongestValue - 1, new SecretStreamRedactor(redactor).KeepBack);
        Assert.True(redactor.LongestValue >= Value.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(37)]
    [InlineData(4096)]
    [InlineData(SecretStreamRedactor.ChunkSize - 3)]
    [InlineData(SecretStreamRedactor.ChunkSize + 11)]
    public void A_value_split_across_pieces_at_any_point_is_redacted(int pieceSize)
    {
        var redactor = new SecretRedactor(SecretValueSet.Create([Value]));
        // Enough text that pieces are released on the way, with the value at many offsets relative to the cuts.
        var text = new StringBuilder();
        for (var i = 0; i < 1200; i++)
        {
            text.Append(Filler(1)).Append("prefix ").Append(new string('x', i % 53)).Append(Value).Append(" suffix\n");
        }
        var streamed = Stream(redactor, Chunks(text.ToString(), pieceSize));

        Assert.Equal(redactor.Redact(text.ToString()), streamed);
        Assert.DoesNotContain(Value[..20], streamed, StringComparison.Ordinal);
        Assert.DoesNotContain(Value[^20..], streamed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_multi_line_value_printed_across_lines_that_arrive_one_by_one_is_redacted()
    {
        const string value = "-----line-one-of-the-secret\nline-two-of-the-secret-----";
        var redactor = new SecretRedactor(SecretValueSet.Create([value]));
        var text = Filler(3000) + $"dump: {value} end\n" + Filler(3000);
        var lines = text.Split('\n').Select(line => line + "\n");

        var streamed = Stream(redactor, lines);

        Assert.Contains("dump: [redacted]\n[redacted] end\n", streamed, StringComparison.Ordinal);
        Assert.DoesNotContain("line-one-of-the-secret", streamed, StringComparison.Ordinal);
        Assert.DoesNotContain("line-two-of-the-secret", streamed, StringComparison.Ordinal);
        // Pushed line by line with one newline more than the text: every line kept its place.
        Assert.Equal(text.Count(c => c == '\n') + 1, streamed.Count(c => c == '\n'));
    }

    [Fact]
    public void A_shape_split_mid_line_across_pieces_keeps_its_context()
    {
        var text = Filler(2000) + "Authorization: Bearer abcdef0123456789abcdef\n" + Filler(2000);
        var cut = text.IndexOf("Bearer ", StringComparison.Ordinal) + "Bearer ".Length;
        var streamed = Stream(SecretRedactor.ShapesOnly, [text[..cut], text[cut..]]);
        Assert.Contains("Authorization: Bearer [redacted]\n", streamed, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdef0123456789", streamed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_private_key_block_longer_than_a_piece_is_redacted_whole()
    {
        var body = string.Concat(Enumerable.Range(0, 600).Select(i => $"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC{i % 10}BKcwggSjAgEAAoIBAQC7abcdefghij\n"));
        var text = Filler(1000) + "-----BEGIN PRIVATE KEY-----\n" + body + "-----END PRIVATE KEY-----\n" + Filler(1000);
        var streamed = Stream(SecretRedactor.ShapesOnly, text.Split('\n').Select(line => line + "\n"));
        Assert.DoesNotContain("MIIEvQIBADANBgkqhkiG9w0", streamed, StringComparison.Ordinal);
        Assert.Contains("line 1000: nothing secret", streamed, StringComparison.Ordinal);
        Assert.EndsWith("line 1000: nothing secret here at all\n\n", streamed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_block_that_never_ends_is_released_redacted_once_it_reaches_the_memory_bound()
    {
        const int bound = 64 * 1024;
        var stream = new SecretStreamRedactor(SecretRedactor.ShapesOnly, bound);
        var released = new StringBuilder(stream.Push("-----BEGIN PRIVATE KEY-----\n"));
        const string keyLine = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7abcdefghij01\n";
        var pushed = 0;
        while (pushed < 4 * bound)
        {
            released.Append(stream.Push(keyLine));
            pushed += keyLine.Length;
        }

        // Held while the block might still end, then let go at the bound, redacted, rather than kept in memory for ever;
        // the lines after each release are still known to belong to the block.
        var lines = released.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length * keyLine.Length >= 2 * bound, $"Only {lines.Length} lines were released.");
        Assert.All(lines, line => Assert.Equal(SecretRedactor.Marker, line));
    }

    [Fact]
    public void Memory_stays_bounded_by_the_window_and_a_chunk()
    {
        var redactor = new SecretRedactor(SecretValueSet.Create([Value]));
        var stream = new SecretStreamRedactor(redactor);
        var released = 0;
        for (var i = 0; i < 20_000; i++)
        {
            released += stream.Push($"line {i} with {Value} inside\n").Length;
        }
        released += stream.Complete().Length;
        Assert.True(released > 0);
        // Everything pushed came out, each value replaced.
        Assert.Equal(Enumerable.Range(0, 20_000).Sum(i => $"line {i} with [redacted] inside\n".Length), released);
    }

    [Fact]
    public void Text_without_secrets_comes_out_unchanged()
    {
        var text = Filler(5000);
        Assert.Equal(text, Stream(new SecretRedactor(SecretValueSet.Create([Value])), Chunks(text, 999)));
    }
}
