using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>The objects Slack's API returns (messages, files and users), shaped as slack.com shapes them.</summary>
internal sealed class SlackObjects(SlackWorkspace workspace)
{
    private SlackStandInOptions Options => workspace.Options;

    /// <summary>The user object as users.info returns it.</summary>
    public JsonObject User(string userId)
    {
        var name = SandboxUsers.NameOf(userId);
        var realName = SandboxUsers.RealNameOf(userId);
        return new JsonObject
        {
            ["id"] = userId,
            ["team_id"] = Options.TeamId,
            ["name"] = name,
            ["deleted"] = false,
            ["real_name"] = realName,
            ["tz"] = "Europe/Amsterdam",
            ["tz_label"] = "Central European Time",
            ["tz_offset"] = 3600,
            ["is_admin"] = false,
            ["is_owner"] = false,
            ["is_bot"] = userId == SlackWorkspace.BotUserId,
            ["is_app_user"] = false,
            ["updated"] = 1_732_000_000,
            ["profile"] = new JsonObject
            {
                ["real_name"] = realName,
                ["display_name"] = name,
                ["real_name_normalized"] = realName,
                ["display_name_normalized"] = name,
                ["email"] = $"{name}@{Options.TeamDomain}.example",
                ["image_48"] = "https://a.slack-edge.com/80588/img/avatars/ava_0001-48.png",
                ["team"] = Options.TeamId,
            },
        };
    }

    /// <summary>The message object as conversations.history and chat.* return it.</summary>
    public JsonObject Message(StandInMessage message, bool withMetadata = false)
    {
        var json = new JsonObject { ["type"] = "message" };
        if (message.ReplyBroadcast)
            json["subtype"] = "thread_broadcast";
        json["user"] = message.UserId;
        if (message.BotId is not null)
        {
            json["bot_id"] = message.BotId;
            json["app_id"] = Options.ApiAppId;
            json["bot_profile"] = new JsonObject { ["id"] = message.BotId, ["app_id"] = Options.ApiAppId, ["name"] = SlackWorkspace.BotName, ["team_id"] = Options.TeamId, ["deleted"] = false };
        }
        json["text"] = message.Text;
        json["ts"] = message.Ts;
        json["team"] = Options.TeamId;
        if (message.Blocks is { } blocks)
            json["blocks"] = JsonNode.Parse(blocks.GetRawText());
        if (message.ThreadTs is not null)
            json["thread_ts"] = message.ThreadTs;
        if (!message.IsReply && message.ReplyCount > 0)
        {
            var replies = workspace.Thread(message.ChannelId, message.Ts).Where(m => m.IsReply).ToList();
            json["reply_count"] = message.ReplyCount;
            json["reply_users_count"] = replies.Select(r => r.UserId).Distinct().Count();
            json["latest_reply"] = replies.Count > 0 ? replies[^1].Ts : message.Ts;
            json["reply_users"] = new JsonArray(replies.Select(r => r.UserId).Distinct().Select(u => (JsonNode?)u).ToArray());
            json["is_locked"] = false;
            json["subscribed"] = false;
        }
        if (message.IsReply)
            json["parent_user_id"] = workspace.Find(message.ChannelId, message.ThreadTs!)?.UserId;
        if (withMetadata && message.Metadata is { } metadata)
            json["metadata"] = JsonNode.Parse(metadata.GetRawText());
        if (message.EditedTs is not null)
            json["edited"] = new JsonObject { ["user"] = message.UserId, ["ts"] = message.EditedTs };
        if (message.Files.Count > 0)
        {
            json["files"] = new JsonArray(message.Files.Select(f => (JsonNode)File(f)).ToArray());
            json["upload"] = false;
        }
        return json;
    }

    /// <summary>The file object as files.completeUploadExternal and messages carry it.</summary>
    public JsonObject File(StandInFile file) => new()
    {
        ["id"] = file.Id,
        ["created"] = workspace.Clock.GetUtcNow().ToUnixTimeSeconds(),
        ["name"] = file.Name,
        ["title"] = file.Title ?? file.Name,
        ["mimetype"] = MimeTypes.For(file.Name),
        ["filetype"] = Path.GetExtension(file.Name).TrimStart('.'),
        ["user"] = SlackWorkspace.BotUserId,
        ["size"] = file.Length,
        ["url_private"] = file.DownloadUrl.ToString(),
        ["url_private_download"] = file.DownloadUrl.ToString(),
        ["permalink"] = file.DownloadUrl.ToString(),
        ["is_external"] = false,
    };
}
