using System.Text.Json.Nodes;
using static Specific.Sandbox.SlackStandIn.BlockKitRules;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>The Block Kit checks' layout blocks: which blocks a surface allows and what each block type requires.</summary>
internal sealed partial class BlockKitCheck
{
    private static readonly HashSet<string> MessageBlocks = ["section", "divider", "header", "context", "actions", "image", "rich_text", "input", "file", "video"];
    private static readonly HashSet<string> ModalBlocks = ["section", "divider", "header", "context", "actions", "image", "rich_text", "input"];
    private static readonly HashSet<string> RichTextElements = ["rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"];

    public void Blocks(JsonNode? blocks, string pointer, BlockSurface surface)
    {
        if (blocks is not JsonArray array)
        {
            Error(blocks is null ? "missing required field: blocks" : "must provide an array", pointer);
            return;
        }
        var max = surface == BlockSurface.Message ? MaxMessageBlocks : MaxModalBlocks;
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
        var allowed = surface == BlockSurface.Message ? MessageBlocks : ModalBlocks;
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
}
