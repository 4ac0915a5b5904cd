using System.Text.RegularExpressions;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>The kinds of conversation Slack has: each answers the bot differently when it is not a member.</summary>
public enum ChannelKind
{
    /// <summary>A public channel: anyone may read it; the bot posts once it joined, or with chat:write.public.</summary>
    Public,

    /// <summary>A private channel: invisible to the bot (channel_not_found) until someone invites it.</summary>
    Private,

    /// <summary>A direct message between the bot and one person (the app's own IM).</summary>
    DirectMessage,

    /// <summary>A group direct message: invisible to the bot unless it was added.</summary>
    GroupDirectMessage,
}

/// <summary>A conversation of the workspace and whether the bot is in it.</summary>
public sealed record StandInChannel(string Id, string Name, ChannelKind Kind, bool BotMember)
{
    public bool IsPrivate => Kind is not ChannelKind.Public;
}

/// <summary>
/// The workspace's conversations and the bot's membership in each, as Slack keeps them. An id the workspace has never
/// seen becomes a conversation the bot is in (C: public, G: private, D: the bot's DM), so clients that post anywhere
/// keep working; only channels created without the bot (<c>#vault</c>, or <c>POST /sandbox/channels</c>) are closed to it.
/// </summary>
internal sealed partial class ChannelDirectory(SlackWorkspace workspace)
{
    public const string VaultChannelId = "C0VAULT";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, StandInChannel> _channels = new(StringComparer.Ordinal)
    {
        [SlackWorkspace.SandboxChannelId] = new(SlackWorkspace.SandboxChannelId, "ops", ChannelKind.Public, BotMember: true),
        ["C0GENERAL"] = new("C0GENERAL", "general", ChannelKind.Public, BotMember: true),
        [VaultChannelId] = new(VaultChannelId, "vault", ChannelKind.Private, BotMember: false),
    };

    /// <summary>The conversation with this id, made up (with the bot in it) when the workspace does not know it yet.</summary>
    public StandInChannel Get(string channelId)
    {
        lock (_lock)
        {
            if (!_channels.TryGetValue(channelId, out var channel))
                _channels[channelId] = channel = Invent(channelId);
            return channel;
        }
    }

    public IReadOnlyList<StandInChannel> All()
    {
        lock (_lock)
            return _channels.Values.OrderBy(c => c.Kind == ChannelKind.DirectMessage).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Creates a channel as a person does in Slack's client; its name follows Slack's rules (lowercase, ≤ 80, no spaces or periods).</summary>
    public (StandInChannel? Channel, string? Error) Create(string? name, bool isPrivate, bool botMember)
    {
        var normalized = (name ?? "").Trim().TrimStart('#');
        if (normalized.Length == 0)
            return (null, "invalid_name_required");
        if (normalized.Length > 80)
            return (null, "invalid_name_maxlength");
        if (!ChannelNameRule().IsMatch(normalized))
            return (null, "invalid_name_specials");
        StandInChannel channel;
        lock (_lock)
        {
            if (_channels.Values.Any(c => c.Name == normalized && c.Kind is ChannelKind.Public or ChannelKind.Private))
                return (null, "name_taken");
            channel = new StandInChannel(workspace.NewId('C'), normalized, isPrivate ? ChannelKind.Private : ChannelKind.Public, botMember);
            _channels[channel.Id] = channel;
        }
        workspace.Notify("*");
        return (channel, null);
    }

    /// <summary>Puts the bot in the conversation or takes it out (/invite, conversations.join, /remove); false for a DM, which has no members to change.</summary>
    public bool SetBotMember(string channelId, bool member)
    {
        lock (_lock)
        {
            var channel = _channels.TryGetValue(channelId, out var known) ? known : Invent(channelId);
            if (channel.Kind == ChannelKind.DirectMessage)
                return false;
            _channels[channelId] = channel with { BotMember = member };
        }
        workspace.Notify(channelId);
        return true;
    }

    /// <summary>The bot's DM with a person (chat.postMessage to a user id lands there, as in Slack's App Home).</summary>
    public StandInChannel DirectMessageWith(string userId)
    {
        var id = "D" + userId[1..];
        lock (_lock)
        {
            if (!_channels.TryGetValue(id, out var channel))
                _channels[id] = channel = new StandInChannel(id, SandboxUsers.NameOf(userId), ChannelKind.DirectMessage, BotMember: true);
            return channel;
        }
    }

    /// <summary>
    /// Why Slack refuses the bot writing here (chat.postMessage, chat.update, chat.postEphemeral, a file share), or
    /// null: a private conversation it is not in does not exist for it, a public one answers not_in_channel unless the
    /// app has chat:write.public.
    /// </summary>
    public string? WriteRefusal(string channelId)
    {
        var channel = Get(channelId);
        if (channel.BotMember)
            return null;
        if (channel.Kind != ChannelKind.Public)
            return "channel_not_found";
        return workspace.Options.BotScopes.Contains(SlackStandInOptions.ChatWritePublicScope) ? null : "not_in_channel";
    }

    private static StandInChannel Invent(string channelId) => channelId[0] switch
    {
        'G' => new(channelId, "private-" + channelId.ToLowerInvariant(), ChannelKind.Private, BotMember: true),
        'D' => new(channelId, "dm-" + channelId.ToLowerInvariant(), ChannelKind.DirectMessage, BotMember: true),
        _ => new(channelId, "channel-" + channelId.ToLowerInvariant(), ChannelKind.Public, BotMember: true),
    };

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex ChannelNameRule();
}
