using System.Text.Json.Serialization;

namespace Specific.Slack.BlockKit;

/// <summary>An interactive element of a section accessory, an actions block or an input block.</summary>
[JsonConverter(typeof(BlockElementConverter))]
public abstract record BlockElement
{
    protected BlockElement(string type) => Type = type;

    [JsonPropertyOrder(-1)]
    public string Type { get; }
}

/// <summary>A button's colour: default (none), green primary or red danger.</summary>
public enum ButtonStyle
{
    [JsonStringEnumMemberName("primary")] Primary,
    [JsonStringEnumMemberName("danger")] Danger,
}

/// <summary>A button that sends a block_actions payload carrying its action_id and value.</summary>
public sealed record ButtonElement(PlainText Text, string ActionId, string? Value = null) : BlockElement(TypeName)
{
    public const string TypeName = "button";

    public ButtonStyle? Style { get; init; }
    public ConfirmDialog? Confirm { get; init; }
    public string? Url { get; init; }
}

/// <summary>A single-choice menu of fixed options.</summary>
public sealed record StaticSelectElement(string ActionId, IReadOnlyList<OptionObject> Options) : BlockElement(TypeName)
{
    public const string TypeName = "static_select";

    public PlainText? Placeholder { get; init; }
    public OptionObject? InitialOption { get; init; }
}

/// <summary>A free-text field, one line or many.</summary>
public sealed record PlainTextInputElement(string ActionId) : BlockElement(TypeName)
{
    public const string TypeName = "plain_text_input";

    public PlainText? Placeholder { get; init; }
    public string? InitialValue { get; init; }
    public bool? Multiline { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
}

/// <summary>A menu of the conversations the person can see; its state carries <c>selected_conversation</c>.</summary>
public sealed record ConversationsSelectElement(string ActionId) : BlockElement(TypeName)
{
    public const string TypeName = "conversations_select";

    public PlainText? Placeholder { get; init; }
    public string? InitialConversation { get; init; }
    public ConversationFilter? Filter { get; init; }
}

/// <summary>Which conversations a conversations_select offers.</summary>
/// <param name="Include">Any of <see cref="Public"/>, <see cref="Private"/>, <see cref="Im"/>, <see cref="Mpim"/>; null offers all.</param>
public sealed record ConversationFilter(IReadOnlyList<string>? Include = null)
{
    public const string Public = "public";
    public const string Private = "private";
    public const string Im = "im";
    public const string Mpim = "mpim";

    public bool? ExcludeBotUsers { get; init; }
    public bool? ExcludeExternalSharedChannels { get; init; }
}

/// <summary>A "…" menu of up to five options.</summary>
public sealed record OverflowElement(string ActionId, IReadOnlyList<OptionObject> Options) : BlockElement(TypeName)
{
    public const string TypeName = "overflow";

    public ConfirmDialog? Confirm { get; init; }
}

/// <summary>A small image, as a section accessory.</summary>
public sealed record ImageElement(string ImageUrl, string AltText) : BlockElement(TypeName)
{
    public const string TypeName = "image";
}
