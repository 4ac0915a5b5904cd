using System.Text;
using Specific.Jobs.Redaction;

namespace Specific.Jobs.Tests.Redaction;

/// <summary>
/// Redaction of simple transforms of a value (reversed, hex, another case, spaced out, a 10-character slice), and the
/// rules that keep ordinary output readable while doing so.
/// </summary>
public sealed class SecretTransformRedactionTests
{
    private const string ApiKey = "pk_live_9fK2mQ7xV4";

    private static SecretRedactor With(params string[] values) => new(SecretValueSet.Create(values));

    [Fact]
    public void A_reversed_value_is_redacted()
    {
        var reversed = new string([.. ApiKey.Reverse()]);
        Assert.Equal("rev: [redacted] :end", With(ApiKey).Redact($"rev: {reversed} :end"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_hex_encoded_value_is_redacted_in_lower_and_upper_case(bool upper)
    {
        var bytes = Encoding.UTF8.GetBytes(ApiKey);
        var hex = upper ? Convert.ToHexString(bytes) : Convert.ToHexStringLower(bytes);
        Assert.Equal("hex [redacted] done", With(ApiKey).Redact($"hex {hex} done"));
    }

    [Theory]
    [InlineData("upper")]
    [InlineData("lower")]
    [InlineData("mixed")]
    public void A_value_in_another_case_is_redacted(string casing)
    {
        var shown = casing switch
        {
            "upper" => ApiKey.ToUpperInvariant(),
            "lower" => ApiKey.ToLowerInvariant(),
            "mixed" => string.Concat(ApiKey.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c))),
            _ => throw new ArgumentOutOfRangeException(nameof(casing)),
        };
        Assert.NotEqual(ApiKey, shown);
        Assert.Equal("key=[redacted];", With(ApiKey).Redact($"key={shown};"));
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("_")]
    [InlineData(":")]
    public void A_value_spelled_out_with_one_separator_between_its_characters_is_redacted(string separator)
    {
        var spaced = string.Join(separator, ApiKey.ToCharArray());
        Assert.Equal("spelled: [redacted]!", With(ApiKey).Redact($"spelled: {spaced}!"));
        Assert.Equal("SPELLED: [redacted]!", With(ApiKey).Redact($"SPELLED: {spaced.ToUpperInvariant()}!"));
    }

    [Fact]
    public void Every_ten_character_slice_of_a_value_of_sixteen_or_more_characters_is_redacted()
    {
        const string value = "sk_9Qm2Xv7LpT4wRz8NbY3cKd6Hf1Gj5Ae0sk_9Qm2Xv7LpT4wRz8NbY3cKd6Hf1";
        Assert.Equal(64, value.Length);
        var redactor = With(value);
        for (var start = 0; start + 10 <= value.Length; start++)
        {
            var slice = value.Substring(start, 10);
            Assert.Equal("cut [redacted] here", redactor.Redact($"cut {slice} here"));
        }
    }

    [Fact]
    public void Slices_are_redacted_only_for_values_of_sixteen_characters_or_more()
    {
        const string fifteen = "Xk39vQ2mPz7LwR4";
        const string sixteen = "Ty82nB5qWc9HsD3f";
        var redactor = With(fifteen, sixteen);
        Assert.Equal("short Xk39vQ2mPz and long [redacted]", redactor.Redact($"short {fifteen[..10]} and long {sixteen[3..13]}"));
    }

    [Fact]
    public void A_slice_that_reads_as_a_word_or_a_common_prefix_stays_readable()
    {
        // Slices need letters and digits or both letter cases, and no whitespace: "postgres:/" or "horse batt" are not secret.
        var redactor = With("postgres://app:Xk39vQ2m@db-main:5432/ledger", "correct horse battery staple");
        Assert.Equal(
            "connecting to postgres://replica for the ledger report; a horse battery staple; leaked [redacted]",
            redactor.Redact("connecting to postgres://replica for the ledger report; a horse battery staple; leaked Xk39vQ2m@d"));
    }

    [Fact]
    public void A_passphrase_is_redacted_whole_in_any_case_but_not_by_its_words()
    {
        var redactor = With("correct horse battery staple");
        Assert.Equal("the horse battery staple is [redacted]", redactor.Redact("the horse battery staple is CORRECT HORSE BATTERY STAPLE"));
    }

    [Fact]
    public void A_short_value_matches_in_its_own_case_only_while_a_long_one_matches_in_any()
    {
        var redactor = With("admin", "hunter2x9Q");
        Assert.Equal("Admin panel for [redacted], [redacted]", redactor.Redact("Admin panel for admin, HUNTER2X9Q"));
    }

    [Fact]
    public void A_transform_of_a_short_value_matches_only_as_a_whole_word()
    {
        var redactor = With("true");
        Assert.Equal("[redacted] in reverse, but ceurtain stays", redactor.Redact("eurt in reverse, but ceurtain stays"));
    }
}
