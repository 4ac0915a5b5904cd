namespace Specific.JobsBot.Threads;

/// <summary>How the thread keeper treats each kind of Slack refusal of a post, an update or an upload.</summary>
internal static class SlackPostErrors
{
    /// <summary>Slack refused the blocks: the text alone still tells the truth.</summary>
    public static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long", "msg_too_long", "too_many_attachments",
    };

    /// <summary>Nothing can be written in this thread again: stop keeping it.</summary>
    public static readonly HashSet<string> ThreadGone = new(StringComparer.Ordinal)
    {
        "channel_not_found", "not_in_channel", "is_archived", "message_not_found", "thread_not_found",
        "restricted_action", "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel", "team_access_not_granted",
    };

    /// <summary>The bot is misconfigured; an operator can fix it, so keep trying slowly rather than drop anything.</summary>
    public static readonly HashSet<string> Configuration = new(StringComparer.Ordinal)
    {
        "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "no_permission",
        "ekm_access_denied", "missing_scope", "fatal_error", "internal_error", "service_unavailable", "request_timeout",
    };
}
