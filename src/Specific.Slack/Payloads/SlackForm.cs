using Microsoft.AspNetCore.WebUtilities;

namespace Specific.Slack.Payloads;

/// <summary>Parses the application/x-www-form-urlencoded bodies Slack posts, from the raw text that was signed.</summary>
public static class SlackForm
{
    /// <summary>The form's fields; the first value wins when a field repeats.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string formEncodedBody)
    {
        ArgumentNullException.ThrowIfNull(formEncodedBody);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new FormReader(formEncodedBody);
        while (reader.ReadNextPair() is { } pair)
        {
            fields.TryAdd(pair.Key, pair.Value);
        }
        return fields;
    }
}
