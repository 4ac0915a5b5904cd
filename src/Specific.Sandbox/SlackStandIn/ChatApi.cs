using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Slack's chat.* methods: post, update, delete, ephemeral and permalink, with the content checks Slack makes.</summary>
internal sealed class ChatApi(SlackWorkspace workspace, SlackObjects objects)
{
    public const int MaxMessageText = 40_000;

    public ApiAnswer PostMessage(ApiArguments args)
    {
        var channel = args.String("channel");
        if (SlackWorkspace.IsUserId(channel))
            channel = workspace.Directory.DirectMessageWith(channel!).Id; // a user id posts into the bot's DM with them
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        if (workspace.Directory.WriteRefusal(channel!) is { } refused)
            return ApiAnswer.Fail(refused);
        var content = ReadContent(args, required: true);
        if (content.Error is not null)
            return content.Error;
        var (metadata, metadataError) = ReadMetadata(args);
        if (metadataError is not null)
            return metadataError;
        var threadTs = args.NonEmpty("thread_ts");
        var message = workspace.Post(channel!, SlackWorkspace.BotUserId, SlackWorkspace.BotId, content.Text ?? "", content.Blocks, threadTs, args.Bool("reply_broadcast"), metadata: metadata);
        return ApiAnswer.Ok(new JsonObject { ["channel"] = channel, ["ts"] = message.Ts, ["message"] = objects.Message(message) });
    }

    public ApiAnswer Update(ApiArguments args)
    {
        if (FindOwnMessage(args, "cant_update_message") is { } refusal)
            return refusal;
        var channel = args.String("channel");
        var ts = args.String("ts");
        var content = ReadContent(args, required: true);
        if (content.Error is not null)
            return content.Error;
        var (metadata, metadataError) = ReadMetadata(args);
        if (metadataError is not null)
            return metadataError;
        var editedTs = workspace.NextTs();
        var updated = workspace.Replace(channel!, ts!, m => m with
        {
            Text = content.Text ?? m.Text,
            Blocks = content.BlocksGiven ? content.Blocks : m.Blocks,
            EditedTs = editedTs,
            Metadata = metadata ?? m.Metadata,
        });
        if (updated is null)
            return ApiAnswer.Fail("message_not_found");
        return ApiAnswer.Ok(new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = updated.Text, ["message"] = objects.Message(updated) });
    }

    /// <summary>Why Slack would refuse to change the message that channel+ts name, or null when it is the bot's own.</summary>
    private ApiAnswer? FindOwnMessage(ApiArguments args, string notOwnError)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        if (workspace.Directory.WriteRefusal(channel!) is { } refused)
            return ApiAnswer.Fail(refused);
        var ts = args.String("ts");
        var existing = string.IsNullOrEmpty(ts) ? null : workspace.Find(channel!, ts);
        if (existing is null)
            return ApiAnswer.Fail("message_not_found");
        return existing.BotId == SlackWorkspace.BotId ? null : ApiAnswer.Fail(notOwnError);
    }

    public ApiAnswer Delete(ApiArguments args)
    {
        if (FindOwnMessage(args, "cant_delete_message") is { } refusal)
            return refusal;
        var channel = args.String("channel");
        var ts = args.String("ts");
        workspace.Delete(channel!, ts!);
        return ApiAnswer.Ok(new JsonObject { ["channel"] = channel, ["ts"] = ts });
    }

    public ApiAnswer PostEphemeral(ApiArguments args)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        if (workspace.Directory.WriteRefusal(channel!) is { } refused)
            return ApiAnswer.Fail(refused);
        var user = args.String("user");
        if (!SlackWorkspace.IsUserId(user))
            return ApiAnswer.Fail("user_not_found");
        var content = ReadContent(args, required: true);
        if (content.Error is not null)
            return content.Error;
        var ephemeral = workspace.PostEphemeral(user!, channel!, args.NonEmpty("thread_ts"), content.Text ?? "", content.Blocks, "chat.postEphemeral");
        return ApiAnswer.Ok(new JsonObject { ["message_ts"] = ephemeral.Ts });
    }

    public ApiAnswer GetPermalink(ApiArguments args)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var ts = args.String("message_ts");
        var message = string.IsNullOrEmpty(ts) ? null : workspace.Find(channel!, ts);
        if (message is null)
            return ApiAnswer.Fail("message_not_found");
        var link = new Uri(workspace.BaseUrl, $"archives/{channel}/p{ts!.Replace(".", "", StringComparison.Ordinal)}");
        var permalink = message.IsReply ? $"{link}?thread_ts={message.ThreadTs}&cid={channel}" : link.ToString();
        return ApiAnswer.Ok(new JsonObject { ["channel"] = channel, ["permalink"] = permalink });
    }

    /// <summary>Message metadata: an object with a string event_type and an object event_payload.</summary>
    private static (JsonElement? Metadata, ApiAnswer? Error) ReadMetadata(ApiArguments args)
    {
        var (node, malformed) = args.Json("metadata");
        if (node is null && !malformed)
            return (null, null);
        if (malformed || node is not JsonObject obj
            || obj["event_type"] is not JsonValue type || !type.TryGetValue<string>(out var eventType) || eventType.Length == 0
            || obj["event_payload"] is not JsonObject)
            return (null, ApiAnswer.Fail("invalid_metadata_format"));
        return (JsonSerializer.SerializeToElement(obj), null);
    }

    /// <summary>text/blocks as chat.* read them, with every content check Slack makes.</summary>
    internal static (string? Text, JsonElement? Blocks, bool BlocksGiven, ApiAnswer? Error) ReadContent(ApiArguments args, bool required)
    {
        var text = args.String("text");
        var blocksGiven = args.Has("blocks");
        var (blocksNode, malformed) = args.Json("blocks");
        if (malformed || (blocksNode is not null && blocksNode is not JsonArray))
            return (null, null, blocksGiven, ApiAnswer.Fail("invalid_blocks_format"));
        var (attachments, badAttachments) = args.Json("attachments");
        if (badAttachments)
            return (null, null, blocksGiven, ApiAnswer.Fail("invalid_attachments"));
        return CheckContent(text, blocksNode as JsonArray, blocksGiven, attachments is JsonArray { Count: > 0 }, required);
    }

    internal static (string? Text, JsonElement? Blocks, bool BlocksGiven, ApiAnswer? Error) CheckContent(string? text, JsonArray? blocks, bool blocksGiven, bool hasAttachments, bool required)
    {
        if (blocks is not null)
        {
            var problems = BlockKitRules.CheckBlocks(blocks, BlockSurface.Message);
            if (problems.Count > 0)
                return (null, null, blocksGiven, ApiAnswer.Fail("invalid_blocks", problems));
            if (BlockText.Length(blocks) > BlockKitRules.MaxMessageBlocksText)
                return (null, null, blocksGiven, ApiAnswer.Fail("msg_blocks_too_long"));
        }
        if (text is { Length: > MaxMessageText })
            return (null, null, blocksGiven, ApiAnswer.Fail("msg_too_long"));
        if (required && string.IsNullOrEmpty(text) && blocks is not { Count: > 0 } && !hasAttachments)
            return (null, null, blocksGiven, ApiAnswer.Fail("no_text"));
        BlockIds.Assign(blocks);
        JsonElement? element = blocks is { Count: > 0 } ? JsonSerializer.SerializeToElement(blocks) : null;
        return (text, element, blocksGiven, null);
    }
}
