using System.Text;
using Specific.Jobs.Redaction;

namespace Specific.Jobs.Tests.Redaction;

/// <summary>Redaction by value: the values, their common encodings, the length rules, and values split across lines.</summary>
public sealed class SecretValueRedactionTests
{
    private const string ApiKey = "pk_live_9fK2mQ7xV4";

    private static SecretRedactor With(params string[] values) => new(SecretValueSet.Create(values));

    [Fact]
    public void A_value_is_redacted_wherever_it_appears()
    {
        var redacted = With(ApiKey).Redact($"key={ApiKey}; again:{ApiKey}{ApiKey}");
        Assert.Equal("key=[redacted]; again:[redacted]", redacted);
    }

    [Theory]
    [InlineData("base64")]
    [InlineData("base64 of echo")]
    [InlineData("base64url")]
    [InlineData("percent-encoded")]
    [InlineData("json")]
    public void Common_encodings_of_a_value_are_redacted(string encoding)
    {
        const string value = "p@ss/w+rd\"?>~~~";
        var bytes = Encoding.UTF8.GetBytes(value);
        var encoded = encoding switch
        {
            "base64" => Convert.ToBase64String(bytes),
            "base64 of echo" => Convert.ToBase64String([.. bytes, (byte)'\n']),
            "base64url" => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            "percent-encoded" => Uri.EscapeDataString(value),
            "json" => System.Text.Json.JsonSerializer.Serialize(value)[1..^1],
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };
        Assert.NotEqual(value, encoded);
        var redacted = With(value).Redact($"out: {encoded} :end");
        Assert.DoesNotContain(encoded.TrimEnd('='), redacted, StringComparison.Ordinal);
        Assert.StartsWith("out: [redacted]", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_shorter_than_the_minimum_are_not_redacted()
    {
        var redactor = With("on", "80", "abc");
        Assert.Equal("listening on 80, abc", redactor.Redact("listening on 80, abc"));
    }

    [Fact]
    public void Short_values_match_only_as_whole_words_and_long_ones_anywhere()
    {
        var redactor = With("true", "admin", "hunter2x9");
        Assert.Equal("[redacted] untrue administrator [redacted]", redactor.Redact("true untrue administrator admin"));
        Assert.Equal("postgres://u:[redacted]@db", redactor.Redact("postgres://u:admin@db"));
        Assert.Equal("xx[redacted]yy", redactor.Redact("xxhunter2x9yy"));
    }

    [Fact]
    public void A_value_read_with_a_trailing_newline_is_found_without_it()
    {
        Assert.Equal("token [redacted] ok", With(ApiKey + "\n").Redact($"token {ApiKey} ok"));
    }

    [Fact]
    public void Overlapping_values_are_both_redacted()
    {
        Assert.Equal("[redacted]!", With("abcdefgh", "efghijkl").Redact("abcdefghijkl!"));
    }

    [Fact]
    public void A_multi_line_value_is_redacted_whole_and_each_of_its_lines_alone()
    {
        var redactor = With("first-line-of-secret\nsecond-line-of-secret");
        Assert.Equal("a [redacted]\n[redacted] b", redactor.Redact("a first-line-of-secret\nsecond-line-of-secret b"));
        // Printed in two excerpts, each half still counts as secret.
        Assert.Equal("[redacted]", redactor.Redact("second-line-of-secret"));
        Assert.Equal("x [redacted]", redactor.Redact("x first-line-of-secret"));
    }

    [Fact]
    public void A_value_longer_than_the_cap_is_matched_by_its_lines()
    {
        var line = new string('q', 100);
        var huge = string.Join('\n', Enumerable.Repeat(line, SecretValueSet.MaxLength / 100 + 10));
        var set = SecretValueSet.Create([huge]);
        Assert.Equal(100, set.LongestLength);
        Assert.Equal("[redacted]", new SecretRedactor(set).Redact(line));
    }

    [Fact]
    public void A_value_and_shapes_are_redacted_together()
    {
        var redacted = With(ApiKey).Redact($"{ApiKey} and xoxb-1234567890-abcdefghij");
        Assert.Equal("[redacted] and [redacted]", redacted);
    }

    [Fact]
    public void A_value_cut_by_the_excerpt_limit_is_redacted_before_the_cut()
    {
        // The line is cut at 1000 characters; the value straddles the cut.
        var line = new string('.', 990) + ApiKey + " tail";
        var lines = new[] { new Specific.Jobs.Domain.LogLine(1, DateTimeOffset.UnixEpoch, Specific.Jobs.Domain.LogStream.Output, line) };
        var redacted = With(ApiKey).RedactLines(lines);
        Assert.Equal(new string('.', 990) + "[redacted] tail", redacted[0].Text);
        Assert.DoesNotContain(ApiKey[..8], redacted[0].Text[..1000], StringComparison.Ordinal);
    }

    [Fact]
    public void Redacting_lines_keeps_numbers_and_drops_the_context_lines()
    {
        var lines = new[] { "-----BEGIN PRIVATE KEY-----", "MIIEvQIBADANBgkqhkiG9w0B", "AQEFAASCBKcwggSjAgEAAoIB", "after" }
            .Select((text, i) => new Specific.Jobs.Domain.LogLine(i + 1, DateTimeOffset.UnixEpoch, Specific.Jobs.Domain.LogStream.Output, text))
            .ToList();
        var shown = SecretRedactor.ShapesOnly.RedactLines(lines, context: 2);
        Assert.Equal([3L, 4L], shown.Select(l => l.Number));
        // The key started in a context line: its body in the shown lines is still found.
        Assert.Equal(["[redacted]", "after"], shown.Select(l => l.Text));
    }

    [Fact]
    public void A_stored_line_with_a_newline_of_its_own_keeps_its_place()
    {
        var lines = new[] { "one", $"two\n{ApiKey}", "three" }
            .Select((text, i) => new Specific.Jobs.Domain.LogLine(i + 1, DateTimeOffset.UnixEpoch, Specific.Jobs.Domain.LogStream.Output, text))
            .ToList();
        var redacted = With(ApiKey).RedactLines(lines);
        Assert.Equal(["one", "two\n[redacted]", "three"], redacted.Select(l => l.Text));
    }
}
