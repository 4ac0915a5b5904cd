using System.Security.Cryptography;
using System.Text;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Signs what the stand-in sends the bot the way Slack does: v0 HMAC-SHA256 over "v0:{ts}:{body}".</summary>
internal static class SlackSignature
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";

    public static string Sign(string signingSecret, long timestamp, string body)
    {
        var basestring = $"v0:{timestamp}:{body}";
        var hash = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), Encoding.UTF8.GetBytes(basestring));
        return "v0=" + Convert.ToHexStringLower(hash);
    }
}
