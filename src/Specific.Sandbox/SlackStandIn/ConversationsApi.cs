using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Slack's conversations.* methods: a channel's info, its history and a thread's replies, paged by cursor.</summary>
internal sealed class ConversationsApi(SlackWorkspace workspace, SlackObjects objects)
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 999;

    public ApiAnswer ConversationInfo(ApiArguments args)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var found = workspace.Directory.Get(channel!);
        // A private conversation the bot is not in does not exist for it.
        if (found.IsPrivate && !found.BotMember)
            return ApiAnswer.Fail("channel_not_found");
        return ApiAnswer.Ok(new JsonObject { ["channel"] = ChannelJson(found) });
    }

    /// <summary>conversations.join (scope channels:join): the bot joins a public channel; a private one cannot be joined, only invited to.</summary>
    public ApiAnswer Join(ApiArguments args)
    {
        if (!workspace.Options.BotScopes.Contains(SlackStandInOptions.ChannelsJoinScope))
            return MissingScope(SlackStandInOptions.ChannelsJoinScope);
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var found = workspace.Directory.Get(channel!);
        if (found.IsPrivate && !found.BotMember)
            return ApiAnswer.Fail("channel_not_found");
        if (found.Kind != ChannelKind.Public)
            return ApiAnswer.Fail("method_not_supported_for_channel_type");
        var body = new JsonObject();
        if (found.BotMember)
        {
            body["warning"] = "already_in_channel";
            body["response_metadata"] = new JsonObject { ["warnings"] = new JsonArray("already_in_channel") };
        }
        else
        {
            workspace.Directory.SetBotMember(found.Id, member: true);
        }
        body["channel"] = ChannelJson(workspace.Directory.Get(found.Id));
        return ApiAnswer.Ok(body);
    }

    private static ApiAnswer MissingScope(string needed)
    {
        var answer = ApiAnswer.Fail("missing_scope");
        answer.Body["needed"] = needed;
        answer.Body["provided"] = "";
        return answer;
    }

    /// <summary>The conversation object as conversations.info and conversations.join return it; a DM has no is_member.</summary>
    private static JsonObject ChannelJson(StandInChannel channel)
    {
        var isChannel = channel.Kind is ChannelKind.Public or ChannelKind.Private;
        var json = new JsonObject
        {
            ["id"] = channel.Id,
            ["created"] = 1_700_000_000,
            ["is_archived"] = false,
            ["is_im"] = channel.Kind == ChannelKind.DirectMessage,
            ["is_mpim"] = channel.Kind == ChannelKind.GroupDirectMessage,
            ["is_private"] = channel.IsPrivate,
        };
        if (channel.Kind == ChannelKind.DirectMessage)
        {
            json["user"] = "U" + channel.Id[1..];
            json["is_open"] = true;
            return json;
        }
        json["name"] = channel.Name;
        json["name_normalized"] = channel.Name;
        json["is_channel"] = isChannel;
        json["is_group"] = channel.Kind == ChannelKind.GroupDirectMessage || channel.Id[0] == 'G';
        json["is_general"] = channel.Name == "general";
        json["is_member"] = channel.BotMember;
        json["creator"] = SlackWorkspace.SandboxUserId;
        json["topic"] = new JsonObject { ["value"] = "", ["creator"] = "", ["last_set"] = 0 };
        json["purpose"] = new JsonObject { ["value"] = "", ["creator"] = "", ["last_set"] = 0 };
        return json;
    }

    public ApiAnswer History(ApiArguments args)
    {
        var channel = args.String("channel");
        if (!SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        var newestFirst = workspace.ChannelMessages(channel!).Reverse().ToList();
        var window = Window(newestFirst, args, newestFirst: true);
        return window.Error ?? Page(window.Items, args, "messages", extra: null);
    }

    public ApiAnswer Replies(ApiArguments args)
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
        var cursor = args.NonEmpty("cursor");
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
        body[field] = new JsonArray(page.Select(m => (JsonNode)objects.Message(m, withMetadata)).ToArray());
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
}
