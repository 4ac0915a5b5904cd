using System.Text.Json.Serialization;

namespace Specific.Slack.BlockKit;

/// <summary>A top-level element of a rich_text block: a paragraph, a preformatted block or a quote.</summary>
[JsonConverter(typeof(RichTextContainerConverter))]
public abstract record RichTextContainer
{
    protected RichTextContainer(string type, IReadOnlyList<RichTextInline> elements)
    {
        Type = type;
        Elements = elements;
    }

    [JsonPropertyOrder(-1)]
    public string Type { get; }

    public IReadOnlyList<RichTextInline> Elements { get; init; }
}

/// <summary>A paragraph of inline elements.</summary>
public sealed record RichTextSection(IReadOnlyList<RichTextInline> Elements) : RichTextContainer(TypeName, Elements)
{
    public const string TypeName = "rich_text_section";
}

/// <summary>A code block: shown monospaced, nothing inside is formatted.</summary>
public sealed record RichTextPreformatted(IReadOnlyList<RichTextInline> Elements) : RichTextContainer(TypeName, Elements)
{
    public const string TypeName = "rich_text_preformatted";
}

/// <summary>A quoted paragraph.</summary>
public sealed record RichTextQuote(IReadOnlyList<RichTextInline> Elements) : RichTextContainer(TypeName, Elements)
{
    public const string TypeName = "rich_text_quote";
}

/// <summary>An inline piece of rich text.</summary>
[JsonConverter(typeof(RichTextInlineConverter))]
public abstract record RichTextInline
{
    protected RichTextInline(string type) => Type = type;

    [JsonPropertyOrder(-1)]
    public string Type { get; }
}

/// <summary>Literal text, optionally styled.</summary>
public sealed record RichTextText(string Text, RichTextStyle? Style = null) : RichTextInline(TypeName)
{
    public const string TypeName = "text";
}

/// <summary>A link, with optional text.</summary>
public sealed record RichTextLink(string Url, string? Text = null) : RichTextInline(TypeName)
{
    public const string TypeName = "link";
}

/// <summary>A user mention.</summary>
public sealed record RichTextUser(string UserId) : RichTextInline(TypeName)
{
    public const string TypeName = "user";
}

/// <summary>An emoji by its short name ("white_check_mark").</summary>
public sealed record RichTextEmoji(string Name) : RichTextInline(TypeName)
{
    public const string TypeName = "emoji";
}

/// <summary>Inline styles of rich text.</summary>
public sealed record RichTextStyle(bool? Bold = null, bool? Italic = null, bool? Strike = null, bool? Code = null);
