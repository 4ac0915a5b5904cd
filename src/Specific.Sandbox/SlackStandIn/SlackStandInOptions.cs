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
}

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
