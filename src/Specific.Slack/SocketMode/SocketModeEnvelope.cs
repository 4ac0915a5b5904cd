using System.Text;
using System.Text.Json;
using Specific.Slack.Payloads;

namespace Specific.Slack.SocketMode;

/// <summary>Socket Mode's identifiers: message types, disconnect reasons and the Web API method that opens a connection.</summary>
public static class SocketModeProtocol
{
    /// <summary>Opens a connection with the app-level token; answers the WebSocket URL.</summary>
    public const string OpenMethod = "apps.connections.open";

    /// <summary>The first message on a new connection: it is ready to deliver.</summary>
    public const string Hello = "hello";

    /// <summary>Slack will close this connection: open another one first.</summary>
    public const string Disconnect = "disconnect";

    public const string SlashCommands = "slash_commands";
    public const string Interactive = "interactive";
    public const string EventsApi = "events_api";

    /// <summary>Query parameter that makes Slack refresh a connection every 360 s, to exercise reconnects.</summary>
    public const string DebugReconnectsParameter = "debug_reconnects";

    /// <summary>Why Slack sends <c>disconnect</c>.</summary>
    public static class DisconnectReasons
    {
        /// <summary>The connection will be refreshed in about ten seconds.</summary>
        public const string Warning = "warning";

        /// <summary>The connection's lifetime is over; Slack closes it.</summary>
        public const string RefreshRequested = "refresh_requested";

        /// <summary>Socket Mode was turned off for the app.</summary>
        public const string LinkDisabled = "link_disabled";

        /// <summary>The app holds more connections than Slack allows (10).</summary>
        public const string TooManyWebsockets = "too_many_websockets";
    }

    /// <summary>
    /// apps.connections.open errors that no retry can fix: the token is wrong, revoked, of the wrong kind or lacks
    /// connections:write. Socket Mode stops and says so instead of hammering Slack.
    /// </summary>
    public static readonly IReadOnlySet<string> UnrecoverableErrors = new HashSet<string>(StringComparer.Ordinal)
    {
        "invalid_auth", "not_authed", "not_allowed_token_type", "account_inactive", "token_revoked", "token_expired",
        "missing_scope", "team_disabled", "user_removed_from_team",
    };
}

/// <summary>
/// One message Slack sends over a Socket Mode connection: <c>hello</c>, <c>disconnect</c>, or an envelope that carries
/// a slash command, an interaction or an event and waits for an acknowledgement naming its <c>envelope_id</c>.
/// </summary>
public sealed record SocketModeEnvelope
{
    public required string Type { get; init; }

    /// <summary>Names the envelope in the acknowledgement; absent on hello and disconnect.</summary>
    public string? EnvelopeId { get; init; }

    /// <summary>What Slack would have posted over HTTP: the slash command's fields or the interaction payload, as JSON.</summary>
    public JsonElement? Payload { get; init; }

    /// <summary>True when the acknowledgement may carry a response payload (a slash command reply, a response_action).</summary>
    public bool AcceptsResponsePayload { get; init; }

    /// <summary>0 on the first delivery; Slack counts its retries of an unacknowledged envelope.</summary>
    public int RetryAttempt { get; init; }

    public string? RetryReason { get; init; }

    /// <summary>Why Slack is disconnecting (on <c>disconnect</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>How many connections the app-level token holds open (on <c>hello</c>).</summary>
    public int? NumConnections { get; init; }

    /// <summary>Parses one WebSocket text message; throws <see cref="JsonException"/> when it is not an object with a type.</summary>
    public static SocketModeEnvelope Parse(string json)
    {
        var envelope = SlackJson.Deserialize<SocketModeEnvelope>(json);
        return string.IsNullOrEmpty(envelope.Type) ? throw new JsonException("The Socket Mode message has no 'type'.") : envelope;
    }

    /// <summary>The slash command a <c>slash_commands</c> envelope carries: the same fields Slack posts as a form.</summary>
    public SlashCommand ReadSlashCommand()
    {
        if (Payload is not { ValueKind: JsonValueKind.Object } payload)
        {
            throw new FormatException("The slash_commands envelope has no payload object.");
        }

        var fields = payload.EnumerateObject().Select(field => new KeyValuePair<string, string>(
            field.Name,
            field.Value.ValueKind switch
            {
                JsonValueKind.String => field.Value.GetString() ?? "",
                JsonValueKind.Null => "",
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => field.Value.GetRawText(),
            }));
        return SlashCommand.FromForm(fields);
    }

    /// <summary>The interaction an <c>interactive</c> envelope carries (block_actions, view_submission, …).</summary>
    public InteractionPayload ReadInteraction() =>
        Payload is { ValueKind: JsonValueKind.Object } payload
            ? InteractionPayload.Parse(payload.GetRawText())
            : throw new FormatException("The interactive envelope has no payload object.");

    /// <summary>The event_callback an <c>events_api</c> envelope carries (the body Slack would post to the events URL).</summary>
    public EventsApiPayload ReadEvent() =>
        Payload is { ValueKind: JsonValueKind.Object } payload
            ? EventsApiPayload.Parse(payload.GetRawText())
            : throw new FormatException("The events_api envelope has no payload object.");
}

/// <summary>The acknowledgement of an envelope: <c>{"envelope_id": …, "payload": …}</c>, sent within Slack's 3 seconds.</summary>
public static class SocketModeAck
{
    /// <summary>
    /// The acknowledgement's JSON; <paramref name="payloadJson"/> is the body the HTTP endpoint would have answered
    /// (already serialized the Slack way), or null for an empty answer.
    /// </summary>
    public static string Serialize(string envelopeId, string? payloadJson)
    {
        ArgumentException.ThrowIfNullOrEmpty(envelopeId);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("envelope_id", envelopeId);
            if (!string.IsNullOrWhiteSpace(payloadJson))
            {
                writer.WritePropertyName("payload");
                writer.WriteRawValue(payloadJson, skipInputValidation: false);
            }
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
