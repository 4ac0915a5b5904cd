using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>What a response_url does with a posted body: reply ephemerally or in channel, replace or delete the original.</summary>
internal sealed class ResponseUrlEndpoint(SlackWorkspace workspace)
{
    public (int Status, JsonObject Body) Handle(string id, JsonObject? body)
    {
        if (body is null)
            return (400, Fail("invalid_payload"));
        var (entry, error) = workspace.UseResponseUrl(id);
        if (entry is null)
            return (404, Fail(error!));

        if (Flag(body, "delete_original"))
        {
            DeleteOriginal(entry);
            return (200, new JsonObject { ["ok"] = true });
        }

        var text = body["text"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
        var content = ChatApi.CheckContent(text, body["blocks"] as JsonArray, body["blocks"] is not null, body["attachments"] is JsonArray { Count: > 0 }, required: true);
        if (content.Error is not null)
            return (400, content.Error.Body);

        if (Flag(body, "replace_original") && entry.OriginalTs is not null)
        {
            ReplaceOriginal(entry, content.Text ?? "", content.Blocks);
            return (200, new JsonObject { ["ok"] = true });
        }

        var threadTs = body["thread_ts"]?.GetValue<string>() ?? entry.ThreadTs;
        if (body["response_type"]?.GetValue<string>() == "in_channel")
        {
            var message = workspace.Post(entry.ChannelId, SlackWorkspace.BotUserId, SlackWorkspace.BotId, content.Text ?? "", content.Blocks, threadTs, false);
            lock (entry)
            {
                entry.OriginalTs ??= message.Ts;
                entry.OriginalIsEphemeral = false;
            }
        }
        else
        {
            var ephemeral = workspace.PostEphemeral(entry.UserId, entry.ChannelId, threadTs, content.Text ?? "", content.Blocks, "response_url");
            lock (entry)
            {
                if (entry.OriginalTs is null)
                {
                    entry.OriginalTs = ephemeral.Ts;
                    entry.OriginalIsEphemeral = true;
                }
            }
        }
        return (200, new JsonObject { ["ok"] = true });
    }

    private void DeleteOriginal(ResponseUrlEntry entry)
    {
        if (entry.OriginalTs is null)
            return;
        if (entry.OriginalIsEphemeral)
        {
            if (workspace.FindEphemeral(entry.UserId, entry.OriginalTs) is { } ephemeral)
                workspace.ReplaceEphemeral(ephemeral, null);
        }
        else
        {
            workspace.Delete(entry.ChannelId, entry.OriginalTs);
        }
    }

    private void ReplaceOriginal(ResponseUrlEntry entry, string text, JsonElement? blocks)
    {
        if (entry.OriginalIsEphemeral)
        {
            if (workspace.FindEphemeral(entry.UserId, entry.OriginalTs!) is { } ephemeral)
                workspace.ReplaceEphemeral(ephemeral, ephemeral with { Text = text, Blocks = blocks });
        }
        else
        {
            var editedTs = workspace.NextTs();
            workspace.Replace(entry.ChannelId, entry.OriginalTs!, m => m with { Text = text, Blocks = blocks, EditedTs = editedTs });
        }
    }

    private static bool Flag(JsonObject body, string name) => body[name] switch
    {
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => s is "true" or "1",
        _ => false,
    };

    private static JsonObject Fail(string error) => new() { ["ok"] = false, ["error"] = error };
}
