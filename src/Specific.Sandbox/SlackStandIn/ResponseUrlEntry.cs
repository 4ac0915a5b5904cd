namespace Specific.Sandbox.SlackStandIn;

/// <summary>One response_url handed to the bot: who it answers, where, and how often it was used.</summary>
internal sealed class ResponseUrlEntry(string userId, string channelId, DateTimeOffset createdAt, string? threadTs)
{
    public string UserId { get; } = userId;

    public string ChannelId { get; } = channelId;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public string? ThreadTs { get; } = threadTs;

    public int Uses { get; set; }

    /// <summary>The message that replace_original/delete_original act on (the clicked message, or the last reply sent through this URL).</summary>
    public string? OriginalTs { get; set; }

    public bool OriginalIsEphemeral { get; set; }
}
