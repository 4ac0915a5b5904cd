using System.Text.Json.Serialization;

namespace Specific.Slack.BlockKit;

/// <summary>A Block Kit layout block; serialized with its <c>type</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HeaderBlock), "header")]
[JsonDerivedType(typeof(SectionBlock), "section")]
[JsonDerivedType(typeof(ContextBlock), "context")]
[JsonDerivedType(typeof(DividerBlock), "divider")]
[JsonDerivedType(typeof(ActionsBlock), "actions")]
[JsonDerivedType(typeof(InputBlock), "input")]
[JsonDerivedType(typeof(RichTextBlock), "rich_text")]
public abstract record Block
{
    public string? BlockId { get; init; }
}

/// <summary>Large bold plain text at the top of a message or modal.</summary>
public sealed record HeaderBlock(PlainText Text) : Block;

/// <summary>Text, up to ten fields, and one optional accessory element.</summary>
public sealed record SectionBlock(TextObject? Text = null) : Block
{
    public IReadOnlyList<TextObject>? Fields { get; init; }
    public BlockElement? Accessory { get; init; }
}

/// <summary>Small grey text below or between other blocks.</summary>
public sealed record ContextBlock(IReadOnlyList<TextObject> Elements) : Block;

/// <summary>A horizontal rule.</summary>
public sealed record DividerBlock : Block;

/// <summary>A row of interactive elements (buttons, menus).</summary>
public sealed record ActionsBlock(IReadOnlyList<BlockElement> Elements) : Block;

/// <summary>A labelled form field of a modal; its value arrives in view.state.values[block_id][action_id].</summary>
public sealed record InputBlock(PlainText Label, BlockElement Element) : Block
{
    public PlainText? Hint { get; init; }
    public bool? Optional { get; init; }
    public bool? DispatchAction { get; init; }
}

/// <summary>Formatted text: paragraphs, code blocks, quotes.</summary>
public sealed record RichTextBlock(IReadOnlyList<RichTextContainer> Elements) : Block;
