using System.Text.Json;
using System.Text.Json.Nodes;
using static Specific.Sandbox.SlackStandIn.BlockKitRules;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>The Block Kit checks' interactive elements: which elements a block allows, their ids, options and lengths.</summary>
internal sealed partial class BlockKitCheck
{
    private static readonly HashSet<string> ActionElements = ["button", "static_select", "multi_static_select", "users_select", "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select", "external_select", "overflow", "datepicker", "timepicker", "datetimepicker", "checkboxes", "radio_buttons"];
    private static readonly HashSet<string> InputElements = ["plain_text_input", "static_select", "multi_static_select", "users_select", "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select", "external_select", "datepicker", "timepicker", "datetimepicker", "checkboxes", "radio_buttons", "number_input", "email_text_input", "url_text_input", "rich_text_input"];
    private static readonly HashSet<string> AccessoryElements = ["button", "static_select", "multi_static_select", "users_select", "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select", "external_select", "overflow", "datepicker", "timepicker", "checkboxes", "radio_buttons", "image"];

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
            case "conversations_select":
                ConversationFilter(element, p);
                break;
        }
    }

    /// <summary>A conversations_select's filter: known properties, and <c>include</c> of im, mpim, private or public, at least one.</summary>
    private void ConversationFilter(JsonObject element, string p)
    {
        if (element["filter"] is not { } filter)
            return;
        if (filter is not JsonObject obj)
        {
            Error("must be an object", $"{p}/filter");
            return;
        }
        Known(obj, "conversation_filter", $"{p}/filter");
        if (obj["include"] is not { } include)
            return;
        if (include is not JsonArray kinds || kinds.Count == 0)
        {
            Error("must be a non-empty array", $"{p}/filter/include");
            return;
        }
        for (var i = 0; i < kinds.Count; i++)
        {
            if (kinds[i] is not JsonValue kind || !kind.TryGetValue<string>(out var name) || name is not ("im" or "mpim" or "private" or "public"))
                Error("must be a valid enum value", $"{p}/filter/include/{i}");
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
}
