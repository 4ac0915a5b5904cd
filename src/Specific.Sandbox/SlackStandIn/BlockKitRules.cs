using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Where blocks are shown; messages and modals allow different blocks and counts.</summary>
internal enum BlockSurface
{
    Message,
    Modal,
}

/// <summary>
/// Slack's Block Kit limits, judged on the raw JSON. Each problem is reported the way Slack reports it:
/// <c>[ERROR] message [json-pointer:/blocks/0/text/text]</c>.
/// </summary>
internal static class BlockKitRules
{
    public const int MaxMessageBlocks = 50;
    public const int MaxModalBlocks = 100;
    public const int MaxSectionText = 3000;
    public const int MaxFields = 10;
    public const int MaxFieldText = 2000;
    public const int MaxHeaderText = 150;
    public const int MaxContextElements = 10;
    public const int MaxActionsElements = 25;
    public const int MaxId = 255;
    public const int MaxButtonText = 75;
    public const int MaxButtonValue = 2000;
    public const int MaxUrl = 3000;
    public const int MaxConfirmTitle = 100;
    public const int MaxConfirmText = 300;
    public const int MaxConfirmButton = 30;
    public const int MaxInputLength = 3000;
    public const int MaxOptions = 100;
    public const int MaxOptionText = 75;
    public const int MaxOptionValue = 150;
    public const int MaxPlaceholder = 150;
    public const int MaxLabel = 2000;
    public const int MaxModalTitle = 24;
    public const int MaxModalButton = 24;
    public const int MaxPrivateMetadata = 3000;
    public const int MaxCallbackId = 255;

    /// <summary>Total text in a message's blocks beyond which Slack answers msg_blocks_too_long.</summary>
    public const int MaxMessageBlocksText = 12_000;

    /// <summary>Serialized view size beyond which Slack answers view_too_large.</summary>
    public const int MaxViewJsonLength = 250_000;

    private static readonly HashSet<string> MessageBlocks = ["section", "divider", "header", "context", "actions", "image", "rich_text", "input", "file", "video"];
    private static readonly HashSet<string> ModalBlocks = ["section", "divider", "header", "context", "actions", "image", "rich_text", "input"];
    private static readonly HashSet<string> ActionElements = ["button", "static_select", "multi_static_select", "users_select", "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select", "external_select", "overflow", "datepicker", "timepicker", "datetimepicker", "checkboxes", "radio_buttons"];
    private static readonly HashSet<string> InputElements = ["plain_text_input", "static_select", "multi_static_select", "users_select", "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select", "external_select", "datepicker", "timepicker", "datetimepicker", "checkboxes", "radio_buttons", "number_input", "email_text_input", "url_text_input", "rich_text_input"];
    private static readonly HashSet<string> AccessoryElements = ["button", "static_select", "multi_static_select", "users_select", "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select", "external_select", "overflow", "datepicker", "timepicker", "checkboxes", "radio_buttons", "image"];
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
        ["plain_text"] = ["type", "text", "emoji"],
        ["mrkdwn"] = ["type", "text", "verbatim"],
        ["option"] = ["text", "value", "description", "url"],
        ["confirm"] = ["title", "text", "confirm", "deny", "style"],
    };

    private static readonly HashSet<string> RichTextElements = ["rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"];

    /// <summary>Checks a message's (or modal's) blocks array.</summary>
    public static IReadOnlyList<string> CheckBlocks(JsonNode? blocks, BlockSurface surface, string pointer = "/blocks")
    {
        var check = new Check();
        check.Blocks(blocks, pointer, surface);
        return check.Errors;
    }

    /// <summary>Checks a modal view: its title, buttons, metadata and blocks.</summary>
    public static IReadOnlyList<string> CheckView(JsonNode? view, string pointer = "/view")
    {
        var check = new Check();
        if (view is not JsonObject obj)
        {
            check.Error("must provide an object", pointer);
            return check.Errors;
        }
        var type = obj["type"]?.GetValueKind() == JsonValueKind.String ? obj["type"]!.GetValue<string>() : null;
        if (type is null)
            check.Error("missing required field: type", pointer);
        else if (type != "modal")
            check.Error("must be a valid enum value", $"{pointer}/type");
        check.Text(obj, "title", pointer, MaxModalTitle, plainOnly: true, required: true);
        check.Text(obj, "submit", pointer, MaxModalButton, plainOnly: true, required: false);
        check.Text(obj, "close", pointer, MaxModalButton, plainOnly: true, required: false);
        check.String(obj, "private_metadata", pointer, MaxPrivateMetadata, required: false, allowEmpty: true);
        check.String(obj, "callback_id", pointer, MaxCallbackId, required: false);
        check.String(obj, "external_id", pointer, MaxId, required: false);
        check.Blocks(obj["blocks"], $"{pointer}/blocks", BlockSurface.Modal);
        if (obj["submit"] is null && obj["blocks"] is JsonArray blocks && blocks.Any(b => TypeOf(b) == "input"))
            check.Error("missing required field: submit", pointer);
        return check.Errors;
    }

    internal static string? TypeOf(JsonNode? node) =>
        node is JsonObject o && o["type"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private sealed class Check
    {
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

        public void Blocks(JsonNode? blocks, string pointer, BlockSurface surface)
        {
            if (blocks is not JsonArray array)
            {
                Error(blocks is null ? "missing required field: blocks" : "must provide an array", pointer);
                return;
            }
            var max = surface == BlockSurface.Modal ? MaxModalBlocks : MaxMessageBlocks;
            if (array.Count > max)
                Error($"no more than {max} items allowed", pointer);
            for (var i = 0; i < array.Count; i++)
                Block(array[i], $"{pointer}/{i}", surface);
        }

        private void Block(JsonNode? node, string p, BlockSurface surface)
        {
            if (node is not JsonObject block)
            {
                Error("must provide an object", p);
                return;
            }
            var type = TypeOf(block);
            if (type is null)
            {
                Error("missing required field: type", p);
                return;
            }
            var allowed = surface == BlockSurface.Modal ? ModalBlocks : MessageBlocks;
            if (!allowed.Contains(type))
            {
                Error($"unsupported type: {type}", $"{p}/type");
                return;
            }
            Known(block, type, p);
            if (String(block, "block_id", p, MaxId, required: false) is { } blockId && !_blockIds.Add(blockId))
                Error($"duplicate block_id: {blockId}", $"{p}/block_id");

            switch (type)
            {
                case "section":
                    Section(block, p);
                    break;
                case "header":
                    Text(block, "text", p, MaxHeaderText, plainOnly: true, required: true);
                    break;
                case "divider":
                    break;
                case "context":
                    Context(block, p);
                    break;
                case "actions":
                    Elements(block, p, MaxActionsElements, ActionElements);
                    break;
                case "image":
                    Image(block, p);
                    Text(block, "title", p, MaxLabel, plainOnly: true, required: false);
                    break;
                case "rich_text":
                    RichText(block, p);
                    break;
                case "input":
                    Input(block, p);
                    break;
                case "file":
                    String(block, "external_id", p, MaxId, required: true);
                    String(block, "source", p, MaxId, required: true);
                    break;
                case "video":
                    String(block, "video_url", p, MaxUrl, required: true);
                    String(block, "thumbnail_url", p, MaxUrl, required: true);
                    String(block, "alt_text", p, MaxLabel, required: true);
                    Text(block, "title", p, 200, plainOnly: true, required: true);
                    break;
            }
        }

        private void Section(JsonObject block, string p)
        {
            var hasText = block["text"] is not null;
            var hasFields = block["fields"] is not null;
            if (!hasText && !hasFields)
                Error("must provide either text or fields", p);
            if (hasText)
                Text(block, "text", p, MaxSectionText, plainOnly: false, required: true);
            if (hasFields)
            {
                if (block["fields"] is not JsonArray fields)
                {
                    Error("must provide an array", $"{p}/fields");
                }
                else
                {
                    if (fields.Count > MaxFields)
                        Error($"no more than {MaxFields} items allowed", $"{p}/fields");
                    if (fields.Count == 0)
                        Error("must have at least 1 item", $"{p}/fields");
                    for (var i = 0; i < fields.Count; i++)
                        TextObject(fields[i], $"{p}/fields/{i}", MaxFieldText, plainOnly: false);
                }
            }
            if (block["accessory"] is { } accessory)
                Element(accessory, $"{p}/accessory", AccessoryElements);
        }

        private void Context(JsonObject block, string p)
        {
            if (block["elements"] is not JsonArray elements)
            {
                Error(block["elements"] is null ? "missing required field: elements" : "must provide an array", p);
                return;
            }
            if (elements.Count == 0)
                Error("must have at least 1 item", $"{p}/elements");
            if (elements.Count > MaxContextElements)
                Error($"no more than {MaxContextElements} items allowed", $"{p}/elements");
            for (var i = 0; i < elements.Count; i++)
            {
                var ep = $"{p}/elements/{i}";
                if (TypeOf(elements[i]) == "image")
                    Image((JsonObject)elements[i]!, ep);
                else
                    TextObject(elements[i], ep, MaxSectionText, plainOnly: false);
            }
        }

        private void Elements(JsonObject block, string p, int max, HashSet<string> allowed)
        {
            if (block["elements"] is not JsonArray elements)
            {
                Error(block["elements"] is null ? "missing required field: elements" : "must provide an array", p);
                return;
            }
            if (elements.Count == 0)
                Error("must have at least 1 item", $"{p}/elements");
            if (elements.Count > max)
                Error($"no more than {max} items allowed", $"{p}/elements");
            for (var i = 0; i < elements.Count; i++)
                Element(elements[i], $"{p}/elements/{i}", allowed);
        }

        private void Input(JsonObject block, string p)
        {
            Text(block, "label", p, MaxLabel, plainOnly: true, required: true);
            Text(block, "hint", p, MaxLabel, plainOnly: true, required: false);
            if (block["element"] is null)
                Error("missing required field: element", p);
            else
                Element(block["element"], $"{p}/element", InputElements);
        }

        private void Image(JsonObject block, string p)
        {
            if (block["image_url"] is null && block["slack_file"] is null)
                Error("missing required field: image_url", p);
            else
                String(block, "image_url", p, MaxUrl, required: false);
            String(block, "alt_text", p, MaxLabel, required: true);
        }

        private void RichText(JsonObject block, string p)
        {
            if (block["elements"] is not JsonArray elements)
            {
                Error(block["elements"] is null ? "missing required field: elements" : "must provide an array", p);
                return;
            }
            for (var i = 0; i < elements.Count; i++)
            {
                var ep = $"{p}/elements/{i}";
                var type = TypeOf(elements[i]);
                if (type is null)
                    Error("missing required field: type", ep);
                else if (!RichTextElements.Contains(type))
                    Error($"unsupported type: {type}", $"{ep}/type");
                else if (elements[i]!["elements"] is not JsonArray)
                    Error("missing required field: elements", ep);
            }
        }

        private void Element(JsonNode? node, string p, HashSet<string> allowed)
        {
            if (node is not JsonObject element)
            {
                Error("must provide an object", p);
                return;
            }
            var type = TypeOf(element);
            if (type is null)
            {
                Error("missing required field: type", p);
                return;
            }
            if (!allowed.Contains(type))
            {
                Error($"unsupported type: {type}", $"{p}/type");
                return;
            }
            Known(element, type, p);
            if (String(element, "action_id", p, MaxId, required: false) is { } actionId && !_actionIds.Add(actionId))
                Error($"duplicate action_id: {actionId}", $"{p}/action_id");
            if (element["confirm"] is { } confirm)
                Confirm(confirm, $"{p}/confirm");
            Text(element, "placeholder", p, MaxPlaceholder, plainOnly: true, required: false);

            switch (type)
            {
                case "button":
                    Text(element, "text", p, MaxButtonText, plainOnly: true, required: true);
                    String(element, "value", p, MaxButtonValue, required: false);
                    String(element, "url", p, MaxUrl, required: false);
                    if (String(element, "style", p, 16, required: false) is { } style && style is not ("primary" or "danger"))
                        Error("must be a valid enum value", $"{p}/style");
                    break;
                case "static_select" or "multi_static_select":
                    Options(element, p);
                    break;
                case "overflow":
                    Options(element, p, maxOptions: 5);
                    break;
                case "checkboxes" or "radio_buttons":
                    Options(element, p, maxOptions: 10);
                    break;
                case "plain_text_input":
                    Length(element, "max_length", p);
                    Length(element, "min_length", p);
                    String(element, "initial_value", p, MaxInputLength, required: false, allowEmpty: true);
                    break;
                case "image":
                    Image(element, p);
                    break;
            }
        }

        private void Length(JsonObject element, string name, string p)
        {
            if (element[name] is not { } node)
                return;
            if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<double>(out var value))
            {
                Error("must be an integer", $"{p}/{name}");
                return;
            }
            if (value > MaxInputLength)
                Error($"must be less than {MaxInputLength + 1}", $"{p}/{name}");
            if (value < 0)
                Error("must be at least 0", $"{p}/{name}");
        }

        private void Options(JsonObject element, string p, int maxOptions = MaxOptions)
        {
            if (element["options"] is JsonArray options)
            {
                if (options.Count == 0)
                    Error("must have at least 1 item", $"{p}/options");
                if (options.Count > maxOptions)
                    Error($"no more than {maxOptions} items allowed", $"{p}/options");
                for (var i = 0; i < options.Count; i++)
                    Option(options[i], $"{p}/options/{i}");
            }
            else if (element["option_groups"] is JsonArray groups)
            {
                for (var g = 0; g < groups.Count; g++)
                {
                    if (groups[g] is not JsonObject group || group["options"] is not JsonArray groupOptions)
                    {
                        Error("missing required field: options", $"{p}/option_groups/{g}");
                        continue;
                    }
                    Text(group, "label", $"{p}/option_groups/{g}", MaxOptionText, plainOnly: true, required: true);
                    if (groupOptions.Count > MaxOptions)
                        Error($"no more than {MaxOptions} items allowed", $"{p}/option_groups/{g}/options");
                    for (var i = 0; i < groupOptions.Count; i++)
                        Option(groupOptions[i], $"{p}/option_groups/{g}/options/{i}");
                }
            }
            else
            {
                Error("missing required field: options", p);
            }
            if (element["initial_option"] is { } initial)
                Option(initial, $"{p}/initial_option");
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
}
