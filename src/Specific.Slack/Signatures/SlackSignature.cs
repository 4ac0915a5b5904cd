using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Specific.Slack.Signatures;

/// <summary>The outcome of checking a request's v0 signature.</summary>
public enum SignatureCheck
{
    /// <summary>Signed with our secret within the replay window.</summary>
    Valid,

    /// <summary>The timestamp or signature header is absent or unreadable.</summary>
    Missing,

    /// <summary>The timestamp is more than five minutes away from now, in either direction.</summary>
    Stale,

    /// <summary>The signature does not match the body.</summary>
    Mismatch,
}

/// <summary>Slack's v0 request signatures: HMAC-SHA256 over <c>v0:{timestamp}:{raw body}</c>.</summary>
public static class SlackSignature
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public const string Version = "v0";

    /// <summary>How far a request's timestamp may be from now, either way.</summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromSeconds(300);

    private const int HashHexLength = 64;

    /// <summary>Checks a request: headers present, timestamp within the window, signature equal in constant time.</summary>
    public static SignatureCheck Verify(
        string signingSecret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> rawBody, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingSecret);
        if (string.IsNullOrWhiteSpace(timestampHeader) || string.IsNullOrWhiteSpace(signatureHeader) ||
            !long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return SignatureCheck.Missing;
        }

        var age = now.ToUnixTimeSeconds() - timestamp;
        if (age > ReplayWindow.TotalSeconds || age < -ReplayWindow.TotalSeconds)
        {
            return SignatureCheck.Stale;
        }

        if (!signatureHeader.StartsWith(Version + "=", StringComparison.Ordinal) ||
            signatureHeader.Length != Version.Length + 1 + HashHexLength)
        {
            return SignatureCheck.Mismatch;
        }

        Span<byte> presented = stackalloc byte[HashHexLength / 2];
        if (Convert.FromHexString(signatureHeader.AsSpan(Version.Length + 1), presented, out _, out var written) !=
            System.Buffers.OperationStatus.Done || written != presented.Length)
        {
            return SignatureCheck.Mismatch;
        }

        Span<byte> expected = stackalloc byte[HashHexLength / 2];
        Compute(signingSecret, timestampHeader, rawBody, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The <c>X-Slack-Signature</c> value for a body and timestamp ("v0=…" in lower-case hex).</summary>
    public static string Sign(string signingSecret, string timestamp, ReadOnlySpan<byte> rawBody)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingSecret);
        Span<byte> hash = stackalloc byte[HashHexLength / 2];
        Compute(signingSecret, timestamp, rawBody, hash);
        return Version + "=" + Convert.ToHexStringLower(hash);
    }

    /// <summary>Signs a body at a moment: the timestamp header and the signature header, for tests and tools.</summary>
    public static (string Timestamp, string Signature) Sign(string signingSecret, DateTimeOffset at, ReadOnlySpan<byte> rawBody)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return (timestamp, Sign(signingSecret, timestamp, rawBody));
    }

    private static void Compute(string signingSecret, string timestamp, ReadOnlySpan<byte> rawBody, Span<byte> destination)
    {
        var prefix = Encoding.UTF8.GetBytes($"{Version}:{timestamp}:");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(signingSecret));
        hmac.AppendData(prefix);
        hmac.AppendData(rawBody);
        hmac.GetHashAndReset(destination);
    }
}
