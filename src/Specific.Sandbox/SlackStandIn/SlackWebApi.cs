using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>A Web API answer: HTTP status, JSON body, and Retry-After for 429s.</summary>
internal sealed record ApiAnswer(int Status, JsonObject Body, TimeSpan? RetryAfter = null)
{
    public string? Error => Body["ok"]?.GetValue<bool>() == true ? null : Body["error"]?.GetValue<string>();

    public static ApiAnswer Ok(JsonObject body)
    {
        body.Insert(0, "ok", true);
        return new ApiAnswer(200, body);
    }

    public static ApiAnswer Fail(string error, IReadOnlyList<string>? messages = null)
    {
        var body = new JsonObject { ["ok"] = false, ["error"] = error };
        if (messages is { Count: > 0 })
        {
            if (error == "invalid_blocks")
                body["errors"] = new JsonArray(messages.Select(m => (JsonNode)m.Replace("[ERROR] ", "", StringComparison.Ordinal)).ToArray());
            body["response_metadata"] = new JsonObject { ["messages"] = new JsonArray(messages.Select(m => (JsonNode)m).ToArray()) };
        }
        return new ApiAnswer(200, body);
    }
}

/// <summary>Slack's Web API methods over the workspace: the same arguments, answers and error codes as slack.com/api.</summary>
internal sealed class SlackWebApi(SlackWorkspace workspace)
{
    public const int MaxMessageText = 40_000;
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 999;

    private SlackStandInOptions Options => workspace.Options;

    public static readonly IReadOnlySet<string> Methods = new HashSet<string>(StringComparer.Ordinal)
    {
        "auth.test", "chat.postMessage", "chat.update", "chat.delete", "chat.postEphemeral", "chat.getPermalink",
        "views.open", "views.update", "views.push", "files.getUploadURLExternal", "files.completeUploadExternal",
        "users.info", "conversations.info", "conversations.history", "conversations.replies", "usergroups.users.list",
    };

    public ApiAnswer Call(string method, ApiArguments args) => method switch
    {
        "auth.test" => AuthTest(),
        "chat.postMessage" => PostMessage(args),
        "chat.update" => Update(args),
        "chat.delete" => Delete(args),
        "chat.postEphemeral" => PostEphemeral(args),
        "chat.getPermalink" => GetPermalink(args),
        "views.open" => OpenView(args, push: false),
        "views.push" => OpenView(args, push: true),
        "views.update" => UpdateView(args),
        "files.getUploadURLExternal" => GetUploadUrl(args),
        "files.completeUploadExternal" => CompleteUpload(args),
        "users.info" => UserInfo(args),
        "conversations.info" => ConversationInfo(args),
        "conversations.history" => History(args),
        "conversations.replies" => Replies(args),
        "usergroups.users.list" => UserGroupMembers(args),
        _ => new ApiAnswer(404, new JsonObject { ["ok"] = false, ["error"] = "unknown_method", ["req_method"] = method }),
    };

    private ApiAnswer AuthTest() => ApiAnswer.Ok(new JsonObject
    {
        ["url"] = $"https://{Options.TeamDomain}.slack.com/",
        ["team"] = "Sandbox",
        ["user"] = SlackWorkspace.BotName,
        ["team_id"] = Options.TeamId,
        ["user_id"] = SlackWorkspace.BotUserId,
        ["bot_id"] = SlackWorkspace.BotId,
        ["is_enterprise_install"] = false,
    });

    private ApiAnswer PostMessage(ApiArguments args)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var content = ReadContent(args, required: true);
        if (content.Error is not null)
            return content.Error;
        var (metadata, metadataError) = ReadMetadata(args);
        if (metadataError is not null)
            return metadataError;
        var threadTs = NullIfEmpty(args.String("thread_ts"));
        var message = workspace.Post(channel!, SlackWorkspace.BotUserId, SlackWorkspace.BotId, content.Text ?? "", content.Blocks, threadTs, args.Bool("reply_broadcast"), metadata: metadata);
        return ApiAnswer.Ok(new JsonObject { ["channel"] = channel, ["ts"] = message.Ts, ["message"] = MessageJson(message) });
    }

    private ApiAnswer Update(ApiArguments args)
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
        return ApiAnswer.Ok(new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = updated.Text, ["message"] = MessageJson(updated) });
    }

    /// <summary>Why Slack would refuse to change the message that channel+ts name, or null when it is the bot's own.</summary>
    private ApiAnswer? FindOwnMessage(ApiArguments args, string notOwnError)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var ts = args.String("ts");
        var existing = string.IsNullOrEmpty(ts) ? null : workspace.Find(channel!, ts);
        if (existing is null)
            return ApiAnswer.Fail("message_not_found");
        return existing.BotId == SlackWorkspace.BotId ? null : ApiAnswer.Fail(notOwnError);
    }

    private ApiAnswer Delete(ApiArguments args)
    {
        if (FindOwnMessage(args, "cant_delete_message") is { } refusal)
            return refusal;
        var channel = args.String("channel");
        var ts = args.String("ts");
        workspace.Delete(channel!, ts!);
        return ApiAnswer.Ok(new JsonObject { ["channel"] = channel, ["ts"] = ts });
    }

    private ApiAnswer PostEphemeral(ApiArguments args)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var user = args.String("user");
        if (!SlackWorkspace.IsUserId(user))
            return ApiAnswer.Fail("user_not_found");
        var content = ReadContent(args, required: true);
        if (content.Error is not null)
            return content.Error;
        var ephemeral = workspace.PostEphemeral(user!, channel!, NullIfEmpty(args.String("thread_ts")), content.Text ?? "", content.Blocks, "chat.postEphemeral");
        return ApiAnswer.Ok(new JsonObject { ["message_ts"] = ephemeral.Ts });
    }

    private ApiAnswer GetPermalink(ApiArguments args)
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

    private ApiAnswer OpenView(ApiArguments args, bool push)
    {
        var (view, error) = ReadView(args);
        if (error is not null)
            return error;
        var (userId, triggerError) = workspace.ExchangeTrigger(args.String("trigger_id"));
        if (triggerError is not null)
            return ApiAnswer.Fail(triggerError);
        if (push && workspace.ViewDepth(userId!) >= SlackWorkspace.MaxViewStack)
            return ApiAnswer.Fail("push_limit_reached");
        var opened = workspace.OpenView(userId!, view!, push && workspace.ViewDepth(userId!) > 0);
        return ApiAnswer.Ok(new JsonObject { ["view"] = workspace.ViewJson(opened) });
    }

    private ApiAnswer UpdateView(ApiArguments args)
    {
        var viewId = NullIfEmpty(args.String("view_id"));
        var externalId = NullIfEmpty(args.String("external_id"));
        if (viewId is null && externalId is null)
            return ApiAnswer.Fail("invalid_arguments", ["[ERROR] missing required field: view_id or external_id [json-pointer:/]"]);
        var (view, error) = ReadView(args);
        if (error is not null)
            return error;
        var (updated, updateError) = workspace.UpdateView(viewId, externalId, NullIfEmpty(args.String("hash")), view!);
        if (updateError is not null)
            return ApiAnswer.Fail(updateError);
        return ApiAnswer.Ok(new JsonObject { ["view"] = workspace.ViewJson(updated!) });
    }

    /// <summary>Reads and checks a view argument the way views.* do.</summary>
    internal static (JsonObject? View, ApiAnswer? Error) ReadView(ApiArguments args)
    {
        var (node, malformed) = args.Json("view");
        if (malformed || node is null)
            return (null, ApiAnswer.Fail("invalid_arguments", [malformed ? "[ERROR] must be a valid JSON object [json-pointer:/view]" : "[ERROR] missing required field: view [json-pointer:/]"]));
        return CheckView(node);
    }

    internal static (JsonObject? View, ApiAnswer? Error) CheckView(JsonNode node)
    {
        if (node.ToJsonString().Length > BlockKitRules.MaxViewJsonLength)
            return (null, ApiAnswer.Fail("view_too_large"));
        var problems = BlockKitRules.CheckView(node);
        if (problems.Count > 0)
            return (null, ApiAnswer.Fail("invalid_arguments", problems));
        var view = (JsonObject)node;
        BlockIds.Assign(view["blocks"] as JsonArray);
        return (view, null);
    }

    private ApiAnswer GetUploadUrl(ApiArguments args)
    {
        var filename = args.String("filename");
        var length = args.Int("length");
        if (string.IsNullOrEmpty(filename) || length is null or < 1)
            return ApiAnswer.Fail("invalid_arguments", [string.IsNullOrEmpty(filename) ? "[ERROR] missing required field: filename" : "[ERROR] missing required field: length"]);
        var (id, uploadUrl) = workspace.ReserveFile(filename, length.Value);
        return ApiAnswer.Ok(new JsonObject { ["upload_url"] = uploadUrl.ToString(), ["file_id"] = id });
    }

    private ApiAnswer CompleteUpload(ApiArguments args)
    {
        var (node, malformed) = args.Json("files");
        if (malformed || node is not JsonArray { Count: > 0 } array)
            return ApiAnswer.Fail("invalid_arguments", ["[ERROR] missing required field: files"]);
        var wanted = new List<(string, string?)>();
        foreach (var item in array)
        {
            if (item?["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id))
                return ApiAnswer.Fail("invalid_arguments", ["[ERROR] missing required field: id [json-pointer:/files]"]);
            wanted.Add((id, item["title"]?.GetValue<string>()));
        }
        var channel = NullIfEmpty(args.String("channel_id")) ?? NullIfEmpty(args.String("channels"));
        if (channel is not null && !SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var (files, missing) = workspace.CompleteFiles(wanted, channel);
        if (missing is not null)
            return ApiAnswer.Fail("file_not_found");
        if (channel is not null)
        {
            var message = workspace.Post(channel, SlackWorkspace.BotUserId, SlackWorkspace.BotId, args.String("initial_comment") ?? "", null,
                NullIfEmpty(args.String("thread_ts")), broadcast: false, files);
            workspace.AttachFilesTo(files, channel, message.Ts);
        }
        return ApiAnswer.Ok(new JsonObject { ["files"] = new JsonArray(files.Select(f => (JsonNode)FileJson(f)).ToArray()) });
    }

    /// <summary>The members of a user group the workspace defines (SlackStandInOptions.UserGroups); any other id is unknown, as in Slack.</summary>
    private ApiAnswer UserGroupMembers(ApiArguments args)
    {
        var group = args.String("usergroup");
        if (string.IsNullOrEmpty(group))
            return ApiAnswer.Fail("invalid_arguments");
        if (!Options.UserGroups.TryGetValue(group, out var members))
            return ApiAnswer.Fail("no_such_subteam");
        return ApiAnswer.Ok(new JsonObject { ["users"] = new JsonArray(members.Select(m => (JsonNode)m).ToArray()) });
    }

    private ApiAnswer UserInfo(ApiArguments args)
    {
        var user = args.String("user");
        if (!SlackWorkspace.IsUserId(user))
            return ApiAnswer.Fail("user_not_found");
        return ApiAnswer.Ok(new JsonObject { ["user"] = UserJson(user!) });
    }

    internal JsonObject UserJson(string userId)
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

    private ApiAnswer ConversationInfo(ApiArguments args)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var name = workspace.ChannelName(channel!);
        return ApiAnswer.Ok(new JsonObject
        {
            ["channel"] = new JsonObject
            {
                ["id"] = channel,
                ["name"] = name,
                ["name_normalized"] = name,
                ["is_channel"] = channel![0] == 'C',
                ["is_group"] = channel[0] == 'G',
                ["is_im"] = channel[0] == 'D',
                ["is_private"] = channel[0] is 'G' or 'D',
                ["is_archived"] = false,
                ["is_general"] = name == "general",
                ["is_member"] = true,
                ["created"] = 1_700_000_000,
                ["creator"] = SlackWorkspace.SandboxUserId,
                ["topic"] = new JsonObject { ["value"] = "", ["creator"] = "", ["last_set"] = 0 },
                ["purpose"] = new JsonObject { ["value"] = "", ["creator"] = "", ["last_set"] = 0 },
            },
        });
    }

    private ApiAnswer History(ApiArguments args)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var newestFirst = workspace.ChannelMessages(channel!).Reverse().ToList();
        var window = Window(newestFirst, args, newestFirst: true);
        return window.Error ?? Page(window.Items, args, "messages", extra: null);
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

    private ApiAnswer Replies(ApiArguments args)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var ts = args.String("ts");
        var thread = string.IsNullOrEmpty(ts) ? [] : workspace.Thread(channel!, ts);
        if (thread.Count == 0)
            return ApiAnswer.Fail("thread_not_found");
        var window = Window(thread.ToList(), args, newestFirst: false);
        return window.Error ?? Page(window.Items, args, "messages", extra: null);
    }

    /// <summary>Applies oldest/latest/inclusive; the thread parent (replies) is always kept as Slack does.</summary>
    private static (List<StandInMessage> Items, ApiAnswer? Error) Window(List<StandInMessage> items, ApiArguments args, bool newestFirst)
    {
        var oldest = ParseTs(args.String("oldest"));
        var latest = ParseTs(args.String("latest"));
        if ((args.Has("oldest") && oldest is null && !string.IsNullOrEmpty(args.String("oldest"))) ||
            (args.Has("latest") && latest is null && !string.IsNullOrEmpty(args.String("latest"))))
            return ([], ApiAnswer.Fail("invalid_ts_oldest"));
        var inclusive = args.Bool("inclusive");
        var filtered = items.Where((m, i) =>
        {
            if (!newestFirst && i == 0)
                return true;
            var ts = ParseTs(m.Ts)!.Value;
            var afterOldest = oldest is null || (inclusive ? ts >= oldest : ts > oldest);
            var beforeLatest = latest is null || (inclusive ? ts <= latest : ts < latest);
            return afterOldest && beforeLatest;
        }).ToList();
        return (filtered, null);
    }

    private ApiAnswer Page(List<StandInMessage> items, ApiArguments args, string field, JsonObject? extra)
    {
        var limit = args.Int("limit") is { } l and > 0 ? Math.Min(l, MaxPageSize) : DefaultPageSize;
        var start = 0;
        var cursor = NullIfEmpty(args.String("cursor"));
        if (cursor is not null)
        {
            var after = DecodeCursor(cursor);
            if (after is null)
                return ApiAnswer.Fail("invalid_cursor");
            start = items.FindIndex(m => m.Ts == after);
            if (start < 0)
                return ApiAnswer.Fail("invalid_cursor");
        }
        var page = items.Skip(start).Take(limit).ToList();
        var hasMore = start + limit < items.Count;
        var body = extra ?? new JsonObject();
        var withMetadata = args.Bool("include_all_metadata");
        body[field] = new JsonArray(page.Select(m => (JsonNode)MessageJson(m, withMetadata)).ToArray());
        body["has_more"] = hasMore;
        body["pin_count"] = 0;
        body["response_metadata"] = new JsonObject { ["next_cursor"] = hasMore ? EncodeCursor(items[start + limit].Ts) : "" };
        return ApiAnswer.Ok(body);
    }

    private static string EncodeCursor(string ts) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"bmV4dF90czo{ts}"));

    private static string? DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("bmV4dF90czo", StringComparison.Ordinal) ? text["bmV4dF90czo".Length..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static decimal? ParseTs(string? ts) =>
        decimal.TryParse(ts, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The message object as conversations.history and chat.* return it.</summary>
    public JsonObject MessageJson(StandInMessage message, bool withMetadata = false)
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
            json["files"] = new JsonArray(message.Files.Select(f => (JsonNode)FileJson(f)).ToArray());
            json["upload"] = false;
        }
        return json;
    }

    private JsonObject FileJson(StandInFile file) => new()
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

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
