namespace Specific.Slack.SocketMode;

/// <summary>How the Socket Mode connection behaves. Bound from "Slack:SocketMode"; the token itself is Slack:AppToken.</summary>
public sealed class SocketModeOptions
{
    public const string Section = "Slack:SocketMode";

    /// <summary>Appends <c>debug_reconnects=true</c> to the WebSocket URL: Slack then refreshes the connection every 360 s.</summary>
    public bool DebugReconnects { get; set; }

    /// <summary>How long a new connection may take to say hello before it counts as failed.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first reconnect waits about this long; each failure doubles it, up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>WebSocket pings at this interval keep NATs open and find a dead peer.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A ping left unanswered this long drops the connection (and a reconnect follows).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a replaced or stopping connection waits for its envelopes' acknowledgements before it closes.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
