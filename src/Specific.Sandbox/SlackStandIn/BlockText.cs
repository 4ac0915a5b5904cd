using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Collects the text a person reads from a message's text and blocks.</summary>
internal static class BlockText
{
    public static string Collect(string text, JsonElement? blocks)
    {
        var builder = new StringBuilder(text);
        if (blocks is { } element)
            Walk(element, builder);
        return builder.ToString();
    }

    /// <summary>Total characters of every "text" value in the blocks (what msg_blocks_too_long counts).</summary>
    public static int Length(JsonNode? blocks)
    {
        var total = 0;
        Walk(blocks, ref total);
        return total;
    }

    private static void Walk(JsonElement element, StringBuilder builder)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "text" && property.Value.ValueKind == JsonValueKind.String)
                        builder.Append('\n').Append(property.Value.GetString());
                    else
                        Walk(property.Value, builder);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    Walk(item, builder);
                break;
        }
    }

    private static void Walk(JsonNode? node, ref int total)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    if (name == "text" && value is JsonValue v && v.TryGetValue<string>(out var s))
                        total += s.Length;
                    else
                        Walk(value, ref total);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                    Walk(item, ref total);
                break;
        }
    }
}
