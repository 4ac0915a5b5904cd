using System.Text.Json.Serialization;

namespace Specific.Slack.BlockKit;

/// <summary>A Block Kit layout block; serialized with its <c>type</c>.</summary>
[JsonConverter(typeof(BlockConverter))]
public abstract record Block
{
    protected Block(string type) => Type = type;

    [JsonPropertyOrder(-1)]
    public string Type { get; }

    public string? BlockId { get; init; }
}

/// <summary>Large bold plain text at the top of a message or modal.</summary>
public sealed record HeaderBlock(PlainText Text) : Block(TypeName)
{
    public const string TypeName = "header";
}

/// <summary>Text, up to ten fields, and one optional accessory element.</summary>
public sealed record SectionBlock(TextObject? Text = null) : Block(TypeName)
{
    public const string TypeName = "section";

    public IReadOnlyList<TextObject>? Fields { get; init; }
    public BlockElement? Accessory { get; init; }
}

/// <summary>Small grey text below or between other blocks.</summary>
public sealed record ContextBlock(IReadOnlyList<TextObject> Elements) : Block(TypeName)
{
    public const string TypeName = "context";
}

/// <summary>A horizontal rule.</summary>
public sealed record DividerBlock() : Block(TypeName)
{
    public const string TypeName = "divider";
}

/// <summary>A row of interactive elements (buttons, menus).</summary>
public sealed record ActionsBlock(IReadOnlyList<BlockElement> Elements) : Block(TypeName)
{
    public const string TypeName = "actions";
}

/// <summary>A labelled form field of a modal; its value arrives in view.state.values[block_id][action_id].</summary>
public sealed record InputBlock(PlainText Label, BlockElement Element) : Block(TypeName)
{
    public const string TypeName = "input";

    public PlainText? Hint { get; init; }
    public bool? Optional { get; init; }
    public bool? DispatchAction { get; init; }
}

/// <summary>Formatted text: paragraphs, code blocks, quotes.</summary>
public sealed record RichTextBlock(IReadOnlyList<RichTextContainer> Elements) : Block(TypeName)
{
    public const string TypeName = "rich_text";
}
