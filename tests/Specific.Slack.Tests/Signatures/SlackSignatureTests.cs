using System.Text;
using Specific.Slack.Signatures;

namespace Specific.Slack.Tests.Signatures;

public sealed class SlackSignatureTests
{
    // The published example from Slack's "Verifying requests from Slack" guide, as quoted in SLACK.md.
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private const string Body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1531420618);
    private static byte[] BodyBytes => Encoding.UTF8.GetBytes(Body);

    [Fact]
    public void Published_vector_is_valid_at_its_own_time()
    {
        Assert.Equal(SignatureCheck.Valid, SlackSignature.Verify(Secret, Timestamp, Signature, BodyBytes, SignedAt));
    }

    [Fact]
    public void Sign_reproduces_the_published_signature()
    {
        Assert.Equal(Signature, SlackSignature.Sign(Secret, Timestamp, BodyBytes));
    }

    [Fact]
    public void Tampered_body_is_a_mismatch()
    {
        var tampered = Encoding.UTF8.GetBytes(Body.Replace("text=&", "text=rm+-rf&", StringComparison.Ordinal));
        Assert.Equal(SignatureCheck.Mismatch, SlackSignature.Verify(Secret, Timestamp, Signature, tampered, SignedAt));
    }

    [Fact]
    public void Wrong_secret_is_a_mismatch()
    {
        Assert.Equal(SignatureCheck.Mismatch, SlackSignature.Verify("another-secret", Timestamp, Signature, BodyBytes, SignedAt));
    }

    [Fact]
    public void Upper_case_or_truncated_signature_is_a_mismatch()
    {
        Assert.Equal(SignatureCheck.Mismatch, SlackSignature.Verify(Secret, Timestamp, "v0=A2114D57", BodyBytes, SignedAt));
        Assert.Equal(SignatureCheck.Mismatch, SlackSignature.Verify(Secret, Timestamp, "v1" + Signature[2..], BodyBytes, SignedAt));
        Assert.Equal(SignatureCheck.Mismatch, SlackSignature.Verify(Secret, Timestamp, Signature[..^2] + "zz", BodyBytes, SignedAt));
    }

    [Theory]
    [InlineData(300, SignatureCheck.Valid)]
    [InlineData(-300, SignatureCheck.Valid)]
    [InlineData(301, SignatureCheck.Stale)]
    [InlineData(-301, SignatureCheck.Stale)]
    [InlineData(86_400, SignatureCheck.Stale)]
    public void Timestamps_outside_five_minutes_either_way_are_stale(int secondsLater, SignatureCheck expected)
    {
        var now = SignedAt.AddSeconds(secondsLater);
        Assert.Equal(expected, SlackSignature.Verify(Secret, Timestamp, Signature, BodyBytes, now));
    }

    [Theory]
    [InlineData(null, Signature)]
    [InlineData(Timestamp, null)]
    [InlineData("", Signature)]
    [InlineData(Timestamp, "  ")]
    [InlineData("yesterday", Signature)]
    [InlineData("-1531420618", Signature)]
    public void Missing_or_unreadable_headers_are_missing(string? timestamp, string? signature)
    {
        Assert.Equal(SignatureCheck.Missing, SlackSignature.Verify(Secret, timestamp, signature, BodyBytes, SignedAt));
    }

    [Fact]
    public void Signing_at_a_moment_round_trips_through_verify()
    {
        var now = DateTimeOffset.UtcNow;
        var body = Encoding.UTF8.GetBytes("payload=%7B%22type%22%3A%22block_actions%22%7D");
        var (timestamp, signature) = SlackSignature.Sign("s3cret", now, body);
        Assert.Equal(SignatureCheck.Valid, SlackSignature.Verify("s3cret", timestamp, signature, body, now.AddSeconds(10)));
    }
}
