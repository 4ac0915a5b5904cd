using System.Text.Json;
using System.Text.Json.Serialization;

namespace Specific.Slack.Payloads;

/// <summary>
/// What Slack posts to the Events API request URL (JSON, signed like every request), told apart by its <c>type</c>:
/// the one-time <c>url_verification</c> challenge, or an <c>event_callback</c> wrapping one event. Over Socket Mode the
/// same <c>event_callback</c> is the payload of an <c>events_api</c> envelope.
/// </summary>
public abstract record EventsApiPayload
{
    public const string UrlVerificationType = "url_verification";
    public const string EventCallbackType = "event_callback";

    public required string Type { get; init; }

    /// <summary>Parses the request body; throws <see cref="JsonException"/> when it is not an object with a type.</summary>
    public static EventsApiPayload Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object ||
            !root.TryGetProperty("type", out var typeProperty) ||
            typeProperty.ValueKind != JsonValueKind.String)
        {
            throw new JsonException("The Events API payload has no 'type'.");
        }

        return typeProperty.GetString() switch
        {
            UrlVerificationType => root.Deserialize<UrlVerificationPayload>(SlackJson.Options)!,
            EventCallbackType => ReadCallback(root),
            var other => new UnknownEventsApiPayload { Type = other! },
        };
    }

    private static EventCallbackPayload ReadCallback(JsonElement root)
    {
        var callback = root.Deserialize<EventCallbackPayload>(SlackJson.Options)!;
        if (!root.TryGetProperty("event", out var inner) || inner.ValueKind != JsonValueKind.Object ||
            !inner.TryGetProperty("type", out var innerType) || innerType.ValueKind != JsonValueKind.String)
        {
            throw new JsonException("The event_callback has no 'event' object with a 'type'.");
        }

        SlackEvent slackEvent = innerType.GetString() switch
        {
            AppHomeOpenedEvent.EventType => inner.Deserialize<AppHomeOpenedEvent>(SlackJson.Options)!,
            var other => new UnknownSlackEvent { Type = other! },
        };
        return callback with { Event = slackEvent };
    }
}

/// <summary>Slack checks a new request URL with a challenge the endpoint answers back (<c>{"challenge": …}</c>).</summary>
public sealed record UrlVerificationPayload : EventsApiPayload
{
    public required string Challenge { get; init; }
}

/// <summary>One event the app subscribes to, with the workspace it happened in and Slack's id for the delivery.</summary>
public sealed record EventCallbackPayload : EventsApiPayload
{
    public string? TeamId { get; init; }
    public string? ApiAppId { get; init; }

    /// <summary>The same on every retry of one delivery.</summary>
    public string? EventId { get; init; }

    public long? EventTime { get; init; }

    /// <summary>The event itself; parsed by its own type (see <see cref="EventsApiPayload.Parse"/>).</summary>
    [JsonIgnore]
    public SlackEvent Event { get; init; } = new UnknownSlackEvent { Type = "" };
}

/// <summary>An Events API payload of a type this app does not know.</summary>
public sealed record UnknownEventsApiPayload : EventsApiPayload;

/// <summary>The inner event of an <c>event_callback</c>.</summary>
public abstract record SlackEvent
{
    public required string Type { get; init; }
}

/// <summary>
/// A person opened one of the app's tabs (<c>home</c> or <c>messages</c>); needs no scope beyond the subscription.
/// <c>view</c> is absent the first time someone opens Home, before anything was published for them.
/// </summary>
public sealed record AppHomeOpenedEvent : SlackEvent
{
    public const string EventType = "app_home_opened";

    /// <summary>The tab of App Home this event is about.</summary>
    public const string HomeTab = "home";

    public required string User { get; init; }

    /// <summary>The person's direct message channel with the app.</summary>
    public string? Channel { get; init; }

    public string? Tab { get; init; }

    /// <summary>The Home view published for this person before, if any.</summary>
    public ViewPayload? View { get; init; }

    public string? EventTs { get; init; }
}

/// <summary>An event this app does not subscribe to; acknowledged and ignored.</summary>
public sealed record UnknownSlackEvent : SlackEvent;
