using System.Text.Json.Serialization;

namespace Specific.Slack.BlockKit;

/// <summary>A top-level element of a rich_text block: a paragraph, a preformatted block or a quote.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(RichTextSection), "rich_text_section")]
[JsonDerivedType(typeof(RichTextPreformatted), "rich_text_preformatted")]
[JsonDerivedType(typeof(RichTextQuote), "rich_text_quote")]
public abstract record RichTextContainer(IReadOnlyList<RichTextInline> Elements);

/// <summary>A paragraph of inline elements.</summary>
public sealed record RichTextSection(IReadOnlyList<RichTextInline> Elements) : RichTextContainer(Elements);

/// <summary>A code block: shown monospaced, nothing inside is formatted.</summary>
public sealed record RichTextPreformatted(IReadOnlyList<RichTextInline> Elements) : RichTextContainer(Elements);

/// <summary>A quoted paragraph.</summary>
public sealed record RichTextQuote(IReadOnlyList<RichTextInline> Elements) : RichTextContainer(Elements);

/// <summary>An inline piece of rich text.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(RichTextText), "text")]
[JsonDerivedType(typeof(RichTextLink), "link")]
[JsonDerivedType(typeof(RichTextUser), "user")]
[JsonDerivedType(typeof(RichTextEmoji), "emoji")]
public abstract record RichTextInline;

/// <summary>Literal text, optionally styled.</summary>
public sealed record RichTextText(string Text, RichTextStyle? Style = null) : RichTextInline;

/// <summary>A link, with optional text.</summary>
public sealed record RichTextLink(string Url, string? Text = null) : RichTextInline;

/// <summary>A user mention.</summary>
public sealed record RichTextUser(string UserId) : RichTextInline;

/// <summary>An emoji by its short name ("white_check_mark").</summary>
public sealed record RichTextEmoji(string Name) : RichTextInline;

/// <summary>Inline styles of rich text.</summary>
public sealed record RichTextStyle(bool? Bold = null, bool? Italic = null, bool? Strike = null, bool? Code = null);
