using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Specific.Slack.Payloads;

/// <summary>What Slack posts to the interactivity URL, told apart by its <c>type</c>.</summary>
public abstract record InteractionPayload
{
    public const string BlockActionsType = "block_actions";
    public const string ViewSubmissionType = "view_submission";
    public const string ViewClosedType = "view_closed";
    public const string ShortcutType = "shortcut";

    public required string Type { get; init; }
    public SlackUser? User { get; init; }
    public SlackTeam? Team { get; init; }
    public string? ApiAppId { get; init; }
    public string? TriggerId { get; init; }

    /// <summary>Parses the JSON of the <c>payload</c> form field; throws <see cref="JsonException"/> when malformed.</summary>
    public static InteractionPayload Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object ||
            !root.TryGetProperty("type", out var typeProperty) ||
            typeProperty.ValueKind != JsonValueKind.String)
        {
            throw new JsonException("The interaction payload has no 'type'.");
        }

        var type = typeProperty.GetString()!;
        return type switch
        {
            BlockActionsType => root.Deserialize<BlockActionsPayload>(SlackJson.Options)!,
            ViewSubmissionType => root.Deserialize<ViewSubmissionPayload>(SlackJson.Options)!,
            ViewClosedType => root.Deserialize<ViewClosedPayload>(SlackJson.Options)!,
            ShortcutType => root.Deserialize<ShortcutPayload>(SlackJson.Options)!,
            _ => new UnknownInteractionPayload { Type = type, Raw = root.Clone() },
        };
    }

    /// <summary>Parses the <c>payload</c> field of the form Slack posts.</summary>
    public static InteractionPayload FromForm(IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var (key, value) in fields)
        {
            if (key == "payload")
            {
                return Parse(value);
            }
        }
        throw new FormatException("The interaction has no 'payload' field.");
    }

    /// <summary>Parses the <c>payload</c> field of an ASP.NET Core form.</summary>
    public static InteractionPayload FromForm(IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form.TryGetValue("payload", out var payload)
            ? Parse(payload.ToString())
            : throw new FormatException("The interaction has no 'payload' field.");
    }

    /// <summary>Parses the raw form-encoded body (the bytes that were signed).</summary>
    public static InteractionPayload FromBody(string formEncodedBody) => FromForm(SlackForm.Parse(formEncodedBody));
}

/// <summary>A click on a button, a menu choice: one or more actions from a message or a view.</summary>
public sealed record BlockActionsPayload : InteractionPayload
{
    public IReadOnlyList<BlockAction> Actions { get; init; } = [];
    public SlackChannel? Channel { get; init; }
    public InteractionMessage? Message { get; init; }
    public InteractionContainer? Container { get; init; }
    public string? ResponseUrl { get; init; }

    /// <summary>Set when the action came from a modal.</summary>
    public ViewPayload? View { get; init; }
}

/// <summary>One action of a block_actions payload.</summary>
public sealed record BlockAction
{
    public required string ActionId { get; init; }
    public string? BlockId { get; init; }
    public string? Type { get; init; }
    public string? Value { get; init; }
    public SelectedOption? SelectedOption { get; init; }
    public string? ActionTs { get; init; }
}

/// <summary>A modal's submit button was pressed; only input blocks appear in its state.</summary>
public sealed record ViewSubmissionPayload : InteractionPayload
{
    public required ViewPayload View { get; init; }
}

/// <summary>A modal was closed (sent only when the view asked to be notified).</summary>
public sealed record ViewClosedPayload : InteractionPayload
{
    public ViewPayload? View { get; init; }
    public bool? IsCleared { get; init; }
}

/// <summary>
/// A global shortcut was chosen (the lightning-bolt menu or the search bar). It names no channel and has no
/// response_url: its trigger_id is the only way to answer, within 3 seconds.
/// </summary>
public sealed record ShortcutPayload : InteractionPayload
{
    public required string CallbackId { get; init; }
    public string? ActionTs { get; init; }
}

/// <summary>An interaction of a type this library does not model; the raw JSON is kept.</summary>
public sealed record UnknownInteractionPayload : InteractionPayload
{
    public JsonElement Raw { get; init; }
}

/// <summary>The view an interaction came from, with what the user typed and chose.</summary>
public sealed record ViewPayload
{
    public required string Id { get; init; }
    public string? CallbackId { get; init; }
    public string? PrivateMetadata { get; init; }
    public string? Hash { get; init; }
    public string? ExternalId { get; init; }
    public string? RootViewId { get; init; }
    /// <summary>What the user typed; <see cref="ViewState.Missing"/> when the payload carried no state.</summary>
    public ViewState State { get; init; } = ViewState.Missing;

    /// <summary>The value of a field: an input's text, a select's chosen option value or a chosen conversation id; null when empty or absent.</summary>
    public string? ValueOf(string blockId, string actionId) =>
        State.Values.TryGetValue(blockId, out var block) && block.TryGetValue(actionId, out var value)
            ? value.Value ?? value.SelectedOption?.Value ?? value.SelectedConversation
            : null;
}

/// <summary>
/// The <c>state</c> of a view: values[block_id][action_id]. A state of another shape reads as no values with the
/// <see cref="Problem"/> said, instead of failing the whole payload or handing on a null.
/// </summary>
[JsonConverter(typeof(ViewStateConverter))]
public sealed record ViewState
{
    /// <summary>The state of a view whose payload had none.</summary>
    public static ViewState Missing { get; } = new() { Problem = "the view has no state" };

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, ViewStateValue>> Values { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, ViewStateValue>>();

    /// <summary>Why the state could not be read (its values are then empty); null when it was read whole.</summary>
    [JsonIgnore]
    public string? Problem { get; init; }
}

/// <summary>The value of one input element of a view.</summary>
public sealed record ViewStateValue
{
    public string? Type { get; init; }

    /// <summary>The text of a plain_text_input; null when left empty.</summary>
    public string? Value { get; init; }

    /// <summary>The option chosen in a static_select; null when none.</summary>
    public SelectedOption? SelectedOption { get; init; }

    /// <summary>The conversation id chosen in a conversations_select; null when none.</summary>
    public string? SelectedConversation { get; init; }
}

/// <summary>An option the user chose.</summary>
public sealed record SelectedOption
{
    public required string Value { get; init; }
    public SelectedOptionText? Text { get; init; }
}

/// <summary>The text of a chosen option.</summary>
public sealed record SelectedOptionText(string Type, string Text);

/// <summary>The user who interacted.</summary>
public sealed record SlackUser
{
    public required string Id { get; init; }
    public string? Username { get; init; }
    public string? Name { get; init; }
    public string? TeamId { get; init; }
}

/// <summary>The workspace of an interaction.</summary>
public sealed record SlackTeam
{
    public required string Id { get; init; }
    public string? Domain { get; init; }
}

/// <summary>The channel of an interaction.</summary>
public sealed record SlackChannel
{
    public required string Id { get; init; }
    public string? Name { get; init; }
}

/// <summary>The message an action came from (its blocks are not parsed).</summary>
public sealed record InteractionMessage
{
    public required string Ts { get; init; }
    public string? ThreadTs { get; init; }
    public string? Text { get; init; }
}

/// <summary>Where an action happened: a message (channel and ts) or a view.</summary>
public sealed record InteractionContainer
{
    public string? Type { get; init; }
    public string? MessageTs { get; init; }
    public string? ChannelId { get; init; }
    public string? ThreadTs { get; init; }
    public bool? IsEphemeral { get; init; }
    public string? ViewId { get; init; }
}
