using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Gives blocks and interactive elements the random ids Slack assigns when the sender leaves them out.</summary>
internal static class BlockIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static void Assign(JsonArray? blocks)
    {
        if (blocks is null)
            return;
        foreach (var block in blocks.OfType<JsonObject>())
        {
            block["block_id"] ??= RandomNumberGenerator.GetString(Alphabet, 5);
            if (block["accessory"] is JsonObject accessory)
                AssignAction(accessory);
            if (block["element"] is JsonObject element)
                AssignAction(element);
            if (BlockKitRules.TypeOf(block) == "actions" && block["elements"] is JsonArray elements)
            {
                foreach (var item in elements.OfType<JsonObject>())
                    AssignAction(item);
            }
        }
    }

    private static void AssignAction(JsonObject element)
    {
        if (BlockKitRules.TypeOf(element) != "image")
            element["action_id"] ??= RandomNumberGenerator.GetString(Alphabet, 5);
    }
}
