using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Where blocks are shown; messages and modals allow different blocks and counts.</summary>
internal enum BlockSurface
{
    Message,
    Modal,

    /// <summary>The App Home tab: a modal's blocks and count, no title or buttons.</summary>
    Home,
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

    /// <summary>Checks a message's (or modal's) blocks array.</summary>
    public static IReadOnlyList<string> CheckBlocks(JsonNode? blocks, BlockSurface surface, string pointer = "/blocks")
    {
        var check = new BlockKitCheck();
        check.Blocks(blocks, pointer, surface);
        return check.Errors;
    }

    /// <summary>Checks a modal view: its title, buttons, metadata and blocks.</summary>
    public static IReadOnlyList<string> CheckView(JsonNode? view, string pointer = "/view")
    {
        var (check, obj) = CheckViewHead(view, pointer, "modal");
        if (obj is null)
            return check.Errors;
        check.Text(obj, "title", pointer, MaxModalTitle, plainOnly: true, required: true);
        check.Text(obj, "submit", pointer, MaxModalButton, plainOnly: true, required: false);
        check.Text(obj, "close", pointer, MaxModalButton, plainOnly: true, required: false);
        CheckViewIds(check, obj, pointer);
        check.Blocks(obj["blocks"], $"{pointer}/blocks", BlockSurface.Modal);
        if (obj["submit"] is null && obj["blocks"] is JsonArray blocks && blocks.Any(b => TypeOf(b) == "input"))
            check.Error("missing required field: submit", pointer);
        return check.Errors;
    }

    /// <summary>Checks a Home tab view (views.publish): its type, metadata and blocks.</summary>
    public static IReadOnlyList<string> CheckHomeView(JsonNode? view, string pointer = "/view")
    {
        var (check, obj) = CheckViewHead(view, pointer, "home");
        if (obj is null)
            return check.Errors;
        CheckViewIds(check, obj, pointer);
        check.Blocks(obj["blocks"], $"{pointer}/blocks", BlockSurface.Home);
        return check.Errors;
    }

    /// <summary>A view must be an object of the <paramref name="type"/> the method takes; null when it is no object at all.</summary>
    private static (BlockKitCheck Check, JsonObject? View) CheckViewHead(JsonNode? view, string pointer, string type)
    {
        var check = new BlockKitCheck();
        if (view is not JsonObject obj)
        {
            check.Error("must provide an object", pointer);
            return (check, null);
        }
        var given = obj["type"]?.GetValueKind() == JsonValueKind.String ? obj["type"]!.GetValue<string>() : null;
        if (given is null)
            check.Error("missing required field: type", pointer);
        else if (given != type)
            check.Error("must be a valid enum value", $"{pointer}/type");
        return (check, obj);
    }

    /// <summary>The strings every view may carry for the app: private_metadata, callback_id and external_id.</summary>
    private static void CheckViewIds(BlockKitCheck check, JsonObject obj, string pointer)
    {
        check.String(obj, "private_metadata", pointer, MaxPrivateMetadata, required: false, allowEmpty: true);
        check.String(obj, "callback_id", pointer, MaxCallbackId, required: false);
        check.String(obj, "external_id", pointer, MaxId, required: false);
    }

    internal static string? TypeOf(JsonNode? node) =>
        node is JsonObject o && o["type"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
