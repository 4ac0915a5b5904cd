using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Specific.Sandbox.SlackStandIn.BlockKitRules;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>One run of the Block Kit checks, collecting problems as Slack words them; this part holds the shared state and the composition objects (text, option, confirm).</summary>
internal sealed partial class BlockKitCheck
{
    // Slack's schema refuses properties it does not know (a typo such as "action-id" is an error, not ignored).
    private static readonly Dictionary<string, HashSet<string>> KnownProperties = new(StringComparer.Ordinal)
    {
        ["section"] = ["type", "block_id", "text", "fields", "accessory", "expand"],
        ["header"] = ["type", "block_id", "text"],
        ["divider"] = ["type", "block_id"],
        ["context"] = ["type", "block_id", "elements"],
        ["actions"] = ["type", "block_id", "elements"],
        ["image"] = ["type", "block_id", "image_url", "slack_file", "alt_text", "title", "image_width", "image_height", "image_bytes", "is_animated", "fallback"],
        ["rich_text"] = ["type", "block_id", "elements"],
        ["input"] = ["type", "block_id", "label", "element", "dispatch_action", "hint", "optional"],
        ["button"] = ["type", "text", "action_id", "url", "value", "style", "confirm", "accessibility_label"],
        ["static_select"] = ["type", "action_id", "options", "option_groups", "initial_option", "confirm", "focus_on_load", "placeholder"],
        ["multi_static_select"] = ["type", "action_id", "options", "option_groups", "initial_options", "confirm", "max_selected_items", "focus_on_load", "placeholder"],
        ["overflow"] = ["type", "action_id", "options", "confirm"],
        ["plain_text_input"] = ["type", "action_id", "initial_value", "multiline", "min_length", "max_length", "dispatch_action_config", "focus_on_load", "placeholder"],
        ["conversations_select"] = ["type", "action_id", "initial_conversation", "default_to_current_conversation", "confirm", "response_url_enabled", "filter", "focus_on_load", "placeholder"],
        ["conversation_filter"] = ["include", "exclude_external_shared_channels", "exclude_bot_users"],
        ["plain_text"] = ["type", "text", "emoji"],
        ["mrkdwn"] = ["type", "text", "verbatim"],
        ["option"] = ["text", "value", "description", "url"],
        ["confirm"] = ["title", "text", "confirm", "deny", "style"],
    };

    private readonly HashSet<string> _blockIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _actionIds = new(StringComparer.Ordinal);

    public List<string> Errors { get; } = [];

    public void Error(string message, string pointer) =>
        Errors.Add($"[ERROR] {message} [json-pointer:{pointer}]");

    /// <summary>Refuses properties Slack's schema does not know and properties set to null.</summary>
    private void Known(JsonObject obj, string kind, string p)
    {
        KnownProperties.TryGetValue(kind, out var known);
        foreach (var (name, value) in obj)
        {
            if (known is not null && !known.Contains(name))
                Error($"invalid additional property: {name}", p);
            else if (value is null)
                Error("must not be null", $"{p}/{name}");
        }
    }

    private void Option(JsonNode? node, string p)
    {
        if (node is not JsonObject option)
        {
            Error("must provide an object", p);
            return;
        }
        Known(option, "option", p);
        Text(option, "text", p, MaxOptionText, plainOnly: false, required: true);
        String(option, "value", p, MaxOptionValue, required: true);
        Text(option, "description", p, MaxOptionText, plainOnly: true, required: false);
    }

    private void Confirm(JsonNode node, string p)
    {
        if (node is not JsonObject confirm)
        {
            Error("must provide an object", p);
            return;
        }
        Known(confirm, "confirm", p);
        Text(confirm, "title", p, MaxConfirmTitle, plainOnly: true, required: true);
        Text(confirm, "text", p, MaxConfirmText, plainOnly: false, required: true);
        Text(confirm, "confirm", p, MaxConfirmButton, plainOnly: true, required: true);
        Text(confirm, "deny", p, MaxConfirmButton, plainOnly: true, required: true);
        if (String(confirm, "style", p, 16, required: false) is { } style && style is not ("primary" or "danger"))
            Error("must be a valid enum value", $"{p}/style");
    }

    public void Text(JsonObject parent, string name, string p, int max, bool plainOnly, bool required)
    {
        var node = parent[name];
        if (node is null)
        {
            if (required)
                Error($"missing required field: {name}", p);
            return;
        }
        TextObject(node, $"{p}/{name}", max, plainOnly);
    }

    private void TextObject(JsonNode? node, string p, int max, bool plainOnly)
    {
        if (node is not JsonObject text)
        {
            Error("must provide an object", p);
            return;
        }
        var type = TypeOf(text);
        if (type is not null)
            Known(text, type, p);
        if (type is null)
            Error("missing required field: type", p);
        else if (plainOnly ? type != "plain_text" : type is not ("plain_text" or "mrkdwn"))
            Error("must be a valid enum value", $"{p}/type");
        if (text["text"] is not JsonValue value || !value.TryGetValue<string>(out var content))
        {
            Error(text["text"] is null ? "missing required field: text" : "must provide a string", text["text"] is null ? p : $"{p}/text");
            return;
        }
        if (content.Length == 0)
            Error("must be more than 0 characters", $"{p}/text");
        if (content.Length > max)
            Error($"must be less than {max + 1} characters", $"{p}/text");
    }

    public string? String(JsonObject parent, string name, string p, int max, bool required, bool allowEmpty = false)
    {
        var node = parent[name];
        if (node is null)
        {
            if (required)
                Error($"missing required field: {name}", p);
            return null;
        }
        if (node is not JsonValue value || !value.TryGetValue<string>(out var content))
        {
            Error("must provide a string", $"{p}/{name}");
            return null;
        }
        if (content.Length == 0 && !allowEmpty)
            Error("must be more than 0 characters", $"{p}/{name}");
        if (content.Length > max)
            Error(string.Create(CultureInfo.InvariantCulture, $"must be less than {max + 1} characters"), $"{p}/{name}");
        return content;
    }
}
