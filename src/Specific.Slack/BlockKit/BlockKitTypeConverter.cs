using System.Text.Json;
using System.Text.Json.Serialization;

namespace Specific.Slack.BlockKit;

/// <summary>
/// Reads a Block Kit value by its <c>type</c> and writes it as its runtime type. Every Block Kit record carries its
/// own <c>type</c> property, so it is written even where the declared type is the concrete one (a header's text).
/// </summary>
public abstract class BlockKitTypeConverter<TBase> : JsonConverter<TBase>
    where TBase : class
{
    private readonly IReadOnlyDictionary<string, Type> _types;

    protected BlockKitTypeConverter(IReadOnlyDictionary<string, Type> types) => _types = types;

    public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(TBase);

    public override TBase? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object ||
            !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new JsonException($"A {typeof(TBase).Name} needs a string 'type'.");
        }
        var name = type.GetString()!;
        return _types.TryGetValue(name, out var concrete)
            ? (TBase?)root.Deserialize(concrete, options)
            : throw new JsonException($"'{name}' is not a known {typeof(TBase).Name} type.");
    }

    public override void Write(Utf8JsonWriter writer, TBase value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        JsonSerializer.Serialize(writer, value, value.GetType(), options);
    }
}

internal sealed class BlockConverter() : BlockKitTypeConverter<Block>(new Dictionary<string, Type>
{
    [HeaderBlock.TypeName] = typeof(HeaderBlock),
    [SectionBlock.TypeName] = typeof(SectionBlock),
    [ContextBlock.TypeName] = typeof(ContextBlock),
    [DividerBlock.TypeName] = typeof(DividerBlock),
    [ActionsBlock.TypeName] = typeof(ActionsBlock),
    [InputBlock.TypeName] = typeof(InputBlock),
    [RichTextBlock.TypeName] = typeof(RichTextBlock),
});

internal sealed class BlockElementConverter() : BlockKitTypeConverter<BlockElement>(new Dictionary<string, Type>
{
    [ButtonElement.TypeName] = typeof(ButtonElement),
    [StaticSelectElement.TypeName] = typeof(StaticSelectElement),
    [PlainTextInputElement.TypeName] = typeof(PlainTextInputElement),
    [OverflowElement.TypeName] = typeof(OverflowElement),
    [ConversationsSelectElement.TypeName] = typeof(ConversationsSelectElement),
    [ImageElement.TypeName] = typeof(ImageElement),
});

internal sealed class TextObjectConverter() : BlockKitTypeConverter<TextObject>(new Dictionary<string, Type>
{
    [PlainText.TypeName] = typeof(PlainText),
    [Mrkdwn.TypeName] = typeof(Mrkdwn),
});

internal sealed class RichTextContainerConverter() : BlockKitTypeConverter<RichTextContainer>(new Dictionary<string, Type>
{
    [RichTextSection.TypeName] = typeof(RichTextSection),
    [RichTextPreformatted.TypeName] = typeof(RichTextPreformatted),
    [RichTextQuote.TypeName] = typeof(RichTextQuote),
});

internal sealed class RichTextInlineConverter() : BlockKitTypeConverter<RichTextInline>(new Dictionary<string, Type>
{
    [RichTextText.TypeName] = typeof(RichTextText),
    [RichTextLink.TypeName] = typeof(RichTextLink),
    [RichTextUser.TypeName] = typeof(RichTextUser),
    [RichTextEmoji.TypeName] = typeof(RichTextEmoji),
});
