namespace Specific.Slack.WebApi;

/// <summary>The Web API <c>error</c> strings callers tell apart, one const each, and the sets a caller classifies a refusal by.</summary>
public static class SlackErrors
{
    /// <summary>Too many calls of the method: wait for the answer's Retry-After.</summary>
    public const string RateLimited = "ratelimited";

    /// <summary>The blocks are not valid Block Kit.</summary>
    public const string InvalidBlocks = "invalid_blocks";

    /// <summary>The blocks are not a JSON array of block objects.</summary>
    public const string InvalidBlocksFormat = "invalid_blocks_format";

    /// <summary>The blocks are longer than Slack takes in one message.</summary>
    public const string MessageBlocksTooLong = "msg_blocks_too_long";

    /// <summary>The message text is longer than Slack takes.</summary>
    public const string MessageTooLong = "msg_too_long";

    /// <summary>The message has more attachments than Slack takes.</summary>
    public const string TooManyAttachments = "too_many_attachments";

    /// <summary>The channel does not exist, or the bot cannot see it.</summary>
    public const string ChannelNotFound = "channel_not_found";

    /// <summary>The bot is not a member of the channel.</summary>
    public const string NotInChannel = "not_in_channel";

    /// <summary>The channel is archived.</summary>
    public const string IsArchived = "is_archived";

    /// <summary>The message to update or to reply to no longer exists.</summary>
    public const string MessageNotFound = "message_not_found";

    /// <summary>The thread to reply in no longer exists.</summary>
    public const string ThreadNotFound = "thread_not_found";

    /// <summary>A workspace preference forbids the bot this action.</summary>
    public const string RestrictedAction = "restricted_action";

    /// <summary>The channel is read-only for the bot.</summary>
    public const string RestrictedActionReadOnlyChannel = "restricted_action_read_only_channel";

    /// <summary>The channel takes only thread replies, not top-level messages.</summary>
    public const string RestrictedActionThreadOnlyChannel = "restricted_action_thread_only_channel";

    /// <summary>The channel takes no thread replies.</summary>
    public const string RestrictedActionNonThreadableChannel = "restricted_action_non_threadable_channel";

    /// <summary>The token has no access to the workspace that holds the channel.</summary>
    public const string TeamAccessNotGranted = "team_access_not_granted";

    /// <summary>The token is not valid.</summary>
    public const string InvalidAuth = "invalid_auth";

    /// <summary>No token came with the call.</summary>
    public const string NotAuthed = "not_authed";

    /// <summary>The token was revoked.</summary>
    public const string TokenRevoked = "token_revoked";

    /// <summary>The token expired (token rotation is on).</summary>
    public const string TokenExpired = "token_expired";

    /// <summary>The token's user or workspace was deactivated.</summary>
    public const string AccountInactive = "account_inactive";

    /// <summary>The token may not call this method.</summary>
    public const string NoPermission = "no_permission";

    /// <summary>Enterprise Key Management has revoked access to the content.</summary>
    public const string EkmAccessDenied = "ekm_access_denied";

    /// <summary>The token lacks an OAuth scope the method needs.</summary>
    public const string MissingScope = "missing_scope";

    /// <summary>Slack failed badly handling the call.</summary>
    public const string FatalError = "fatal_error";

    /// <summary>Slack hit an internal error handling the call.</summary>
    public const string InternalError = "internal_error";

    /// <summary>Slack's service is unavailable for now.</summary>
    public const string ServiceUnavailable = "service_unavailable";

    /// <summary>The call's POST body arrived missing or cut short.</summary>
    public const string RequestTimeout = "request_timeout";

    /// <summary>Slack refused a message's blocks or size: the text alone may still go through.</summary>
    public static readonly IReadOnlySet<string> BlocksRefused = new HashSet<string>(StringComparer.Ordinal)
    {
        InvalidBlocks, InvalidBlocksFormat, MessageBlocksTooLong, MessageTooLong, TooManyAttachments,
    };

    /// <summary>The channel, message or thread can never be written by the bot again.</summary>
    public static readonly IReadOnlySet<string> DestinationGone = new HashSet<string>(StringComparer.Ordinal)
    {
        ChannelNotFound, NotInChannel, IsArchived, MessageNotFound, ThreadNotFound,
        RestrictedAction, RestrictedActionReadOnlyChannel, RestrictedActionThreadOnlyChannel,
        RestrictedActionNonThreadableChannel, TeamAccessNotGranted,
    };

    /// <summary>The app is misconfigured or Slack itself failed: an operator or Slack can fix it, so retrying slowly beats dropping anything.</summary>
    public static readonly IReadOnlySet<string> Misconfigured = new HashSet<string>(StringComparer.Ordinal)
    {
        InvalidAuth, NotAuthed, TokenRevoked, TokenExpired, AccountInactive, NoPermission,
        EkmAccessDenied, MissingScope, FatalError, InternalError, ServiceUnavailable, RequestTimeout,
    };
}
