using System.Text.Json;
using System.Text.Json.Serialization;

namespace Specific.Slack.Payloads;

/// <summary>
/// Reads a view's <c>state</c> whatever its shape: a null, a missing <c>values</c> or an input value of another type
/// becomes an empty <see cref="ViewState"/> that says what was wrong, so a malformed submission gets a clear answer.
/// </summary>
internal sealed class ViewStateConverter : JsonConverter<ViewState>
{
    // A null state comes here too, instead of becoming a null that the handler would trip over.
    public override bool HandleNull => true;

    public override ViewState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var state = document.RootElement;
        if (state.ValueKind != JsonValueKind.Object)
        {
            return Unreadable($"state is {Kind(state)}");
        }

        if (!state.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            return Unreadable($"state.values is {(values.ValueKind == JsonValueKind.Undefined ? "missing" : Kind(values))}");
        }

        var blocks = new Dictionary<string, IReadOnlyDictionary<string, ViewStateValue>>(StringComparer.Ordinal);
        foreach (var block in values.EnumerateObject())
        {
            if (block.Value.ValueKind != JsonValueKind.Object)
            {
                return Unreadable($"state.values.{block.Name} is {Kind(block.Value)}");
            }

            var inputs = new Dictionary<string, ViewStateValue>(StringComparer.Ordinal);
            foreach (var input in block.Value.EnumerateObject())
            {
                if (ValueOf(input.Value, options) is not { } value)
                {
                    return Unreadable($"state.values.{block.Name}.{input.Name} is not an input's value");
                }

                inputs[input.Name] = value;
            }

            blocks[block.Name] = inputs;
        }

        return new ViewState { Values = blocks };
    }

    public override void Write(Utf8JsonWriter writer, ViewState value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WritePropertyName("values");
        JsonSerializer.Serialize(writer, value.Values, options);
        writer.WriteEndObject();
    }

    private static ViewStateValue? ValueOf(JsonElement input, JsonSerializerOptions options)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return input.Deserialize<ViewStateValue>(options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ViewState Unreadable(string problem) => new() { Problem = problem };

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "not an object",
    };
}
