using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>A Web API answer: HTTP status, JSON body, and Retry-After for 429s.</summary>
internal sealed record ApiAnswer(int Status, JsonObject Body, TimeSpan? RetryAfter = null)
{
    public string? Error => Body["ok"]?.GetValue<bool>() == true ? null : Body["error"]?.GetValue<string>();

    public static ApiAnswer Ok(JsonObject body)
    {
        body.Insert(0, "ok", true);
        return new ApiAnswer(200, body);
    }

    public static ApiAnswer Fail(string error, IReadOnlyList<string>? messages = null)
    {
        var body = new JsonObject { ["ok"] = false, ["error"] = error };
        if (messages is { Count: > 0 })
        {
            if (error == "invalid_blocks")
                body["errors"] = new JsonArray(messages.Select(m => (JsonNode)m.Replace("[ERROR] ", "", StringComparison.Ordinal)).ToArray());
            body["response_metadata"] = new JsonObject { ["messages"] = new JsonArray(messages.Select(m => (JsonNode)m).ToArray()) };
        }
        return new ApiAnswer(200, body);
    }
}
