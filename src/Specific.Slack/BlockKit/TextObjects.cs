using System.Text.Json.Serialization;

namespace Specific.Slack.BlockKit;

/// <summary>A Block Kit text object: plain text or mrkdwn.</summary>
[JsonConverter(typeof(TextObjectConverter))]
public abstract record TextObject
{
    protected TextObject(string type, string text)
    {
        Type = type;
        Text = text;
    }

    [JsonPropertyOrder(-2)]
    public string Type { get; }

    [JsonPropertyOrder(-1)]
    public string Text { get; init; }
}

/// <summary>Text shown as typed; <c>emoji</c> lets Slack turn <c>:shortcodes:</c> into emoji.</summary>
public sealed record PlainText(string Text, bool? Emoji = null) : TextObject(TypeName, Text)
{
    public const string TypeName = "plain_text";
}

/// <summary>Slack's markdown dialect (<c>*bold*</c>, <c>`code`</c>, <c>&lt;@U123&gt;</c>).</summary>
public sealed record Mrkdwn(string Text, bool? Verbatim = null) : TextObject(TypeName, Text)
{
    public const string TypeName = "mrkdwn";
}

/// <summary>One choice of a select or overflow menu.</summary>
public sealed record OptionObject(PlainText Text, string Value, PlainText? Description = null);

/// <summary>The "are you sure?" dialog Slack shows before a button's action is sent.</summary>
public sealed record ConfirmDialog(PlainText Title, TextObject Text, PlainText Confirm, PlainText Deny)
{
    /// <summary>"danger" paints the confirm button red.</summary>
    public ButtonStyle? Style { get; init; }
}
