namespace Specific.Slack.WebApi;

/// <summary>A message Slack stored: its channel and ts (the message's id within the channel).</summary>
public sealed record PostedMessage(string Channel, string Ts);

/// <summary>A view Slack opened or updated.</summary>
public sealed record OpenedView(string Id, string? Hash, string? ExternalId);

/// <summary>A file shared into a channel or thread.</summary>
public sealed record UploadedFile(string Id, string? Title);

/// <summary>Who the token belongs to (auth.test).</summary>
public sealed record AuthIdentity(string UserId, string? User, string TeamId, string? Team, string? BotId, string? Url);

/// <summary>What users.info says about a person.</summary>
public sealed record SlackUserInfo(string Id, string? Name, string? RealName, string? DisplayName, bool IsBot, bool Deleted, string? TimeZone);

/// <summary>What conversations.info says about a channel. A DM's is_member is absent: the bot sees only its own DMs.</summary>
public sealed record SlackConversationInfo(string Id, string? Name, bool IsChannel, bool IsPrivate, bool IsArchived, bool IsMember)
{
    /// <summary>A direct message (the bot's own, since it cannot see others).</summary>
    public bool IsIm { get; init; }

    /// <summary>A group direct message.</summary>
    public bool IsMpim { get; init; }
}

/// <summary>A message as conversations.history returns it; its blocks are kept raw.</summary>
public sealed record HistoryMessage(string Ts, string? Text, string? UserId, string? BotId, string? ThreadTs, System.Text.Json.JsonElement? Blocks)
{
    /// <summary>Its metadata, when the read asked for it (conversations.replies here).</summary>
    public BlockKit.MessageMetadata? Metadata { get; init; }

    /// <summary>The names of the files shared in it.</summary>
    public IReadOnlyList<string> FileNames { get; init; } = [];
}
