namespace Specific.Sandbox.SlackStandIn;

/// <summary>Where the Slack stand-in listens, the credentials it expects and the bot it talks to.</summary>
public sealed class SlackStandInOptions
{
    /// <summary>Listen address; port 0 picks a free port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:3001";

    /// <summary>Secret used to sign what the stand-in sends the bot (v0 HMAC-SHA256).</summary>
    public string SigningSecret { get; set; } = "";

    /// <summary>The only bot token the Web API accepts.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>
    /// A read-only token for a test or benchmark that watches the workspace: with it, only conversations.history and
    /// conversations.replies answer, outside the rate limits, and the calls are not recorded in Calls (they are not the
    /// bot's). Null (the default) accepts no such token.
    /// </summary>
    public string? ObserverToken { get; set; }

    /// <summary>Base URL of the bot; slash commands go to /slack/commands, interactions to /slack/interactions.</summary>
    public string BotUrl { get; set; } = "http://127.0.0.1:3000";

    public string TeamId { get; set; } = "T0SANDBOX";

    public string TeamDomain { get; set; } = "sandbox";

    public string Command { get; set; } = "/specific";

    public string ApiAppId { get; set; } = "A0SANDBOX";

    /// <summary>How long Slack waits for the bot to acknowledge a command or interaction.</summary>
    public TimeSpan AckDeadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a trigger_id can be exchanged for a view.</summary>
    public TimeSpan TriggerIdLifetime { get; set; } = TimeSpan.FromSeconds(3);

    public SlackRateLimits RateLimits { get; set; } = new();

    /// <summary>The scope that lets an app post in public channels it has not joined.</summary>
    public const string ChatWritePublicScope = "chat:write.public";

    /// <summary>The scope conversations.join needs.</summary>
    public const string ChannelsJoinScope = "channels:join";

    /// <summary>
    /// The bot token's scopes, as installed. Only those that change an answer are judged: <see cref="ChatWritePublicScope"/>
    /// (not granted by default) and <see cref="ChannelsJoinScope"/> (missing_scope without it).
    /// </summary>
    public ISet<string> BotScopes { get; set; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "commands", "chat:write", "files:write", "channels:history", "groups:history", "usergroups:read",
        "channels:read", "groups:read", "im:read", "mpim:read", ChannelsJoinScope,
    };

    /// <summary>
    /// The app-level token (<c>xapp-…</c>) apps.connections.open accepts. Set, the app has Socket Mode on: slash commands
    /// and interactions go to the bot's WebSocket connections instead of <see cref="BotUrl"/>.
    /// </summary>
    public string AppToken { get; set; } = "";

    /// <summary>How long a connection lives before the stand-in refreshes it (warning, then refresh_requested); null: until closed.</summary>
    public TimeSpan? SocketModeConnectionLifetime { get; set; }

    /// <summary>A connection's lifetime when its URL carries <c>debug_reconnects=true</c>; Slack's is 360 s.</summary>
    public TimeSpan SocketModeDebugConnectionLifetime { get; set; } = TimeSpan.FromSeconds(360);

    /// <summary>How long after refresh_requested the stand-in closes a connection the bot has not closed itself.</summary>
    public TimeSpan SocketModeRefreshGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>When an unacknowledged envelope is delivered again, one entry per retry; Slack retries at once, after 1 and after 5 minutes.</summary>
    public IReadOnlyList<TimeSpan> SocketModeRetryDelays { get; set; } = [TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];

    /// <summary>The app's global shortcuts, as its manifest declares them (features.shortcuts with type global).</summary>
    public List<StandInShortcut> GlobalShortcuts { get; set; } = [];

    /// <summary>The app's Home tab is on (features.app_home.home_tab_enabled): views.publish answers not_enabled otherwise.</summary>
    public bool HomeTabEnabled { get; set; }

    /// <summary>
    /// The bot events the app subscribes to (settings.event_subscriptions.bot_events): only these are sent to it, to
    /// <see cref="EventsPath"/> under <see cref="BotUrl"/> or, with Socket Mode on, as events_api envelopes.
    /// </summary>
    public List<string> BotEvents { get; set; } = [];

    /// <summary>The Events API request URL's path under <see cref="BotUrl"/>.</summary>
    public string EventsPath { get; set; } = "slack/events";

    /// <summary>The workspace's user groups: group id (S…) to member ids, served by usergroups.users.list.</summary>
    public Dictionary<string, List<string>> UserGroups { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A global shortcut of the app: the name people pick, the callback_id Slack sends, and its description.</summary>
public sealed record StandInShortcut(string Name, string CallbackId, string Description);

/// <summary>Slack's documented rate limits: per-method tiers per workspace (a minute's allowance may be spent in a burst) and chat.postMessage per channel.</summary>
public sealed class SlackRateLimits
{
    public bool Enabled { get; set; } = true;

    /// <summary>Multiplies every rate; 60 turns "per minute" into "per second" so tests run fast.</summary>
    public double Scale { get; set; } = 1;

    public int Tier1PerMinute { get; set; } = 1;

    public int Tier2PerMinute { get; set; } = 20;

    public int Tier3PerMinute { get; set; } = 50;

    public int Tier4PerMinute { get; set; } = 100;

    public double PostMessagesPerSecondPerChannel { get; set; } = 1;

    public int PostMessageBurstPerChannel { get; set; } = 3;

    /// <summary>No limits at all.</summary>
    public static SlackRateLimits Off => new() { Enabled = false };
}
