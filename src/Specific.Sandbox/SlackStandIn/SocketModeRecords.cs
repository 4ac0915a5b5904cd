namespace Specific.Sandbox.SlackStandIn;

/// <summary>How a Socket Mode connection ended, as the stand-in saw it.</summary>
public enum SocketModeEnd
{
    /// <summary>Still open.</summary>
    Open,

    /// <summary>The bot sent a close frame.</summary>
    ClosedByBot,

    /// <summary>The stand-in closed it (after refresh_requested, or on shutdown).</summary>
    ClosedBySlack,

    /// <summary>Dropped without a close handshake (a test's <c>DropConnections</c>, or the bot vanished).</summary>
    Dropped,
}

/// <summary>One Socket Mode connection: when it said hello and how it ended.</summary>
public sealed record SocketModeConnectionInfo(
    int Id, DateTimeOffset OpenedAt, bool DebugReconnects, DateTimeOffset? ClosedAt, SocketModeEnd End, IReadOnlyList<string> DisconnectsSent);

/// <summary>One delivery of an envelope (a retry is another delivery with the same envelope id) and its acknowledgement.</summary>
/// <param name="AckPayload">The acknowledgement's payload as JSON, or null when it had none.</param>
/// <param name="AckIgnored">The stand-in dropped the acknowledgement on purpose (a test's <c>IgnoreNextAcks</c>).</param>
public sealed record SocketModeDelivery(
    string EnvelopeId, string Type, int RetryAttempt, string RetryReason, int ConnectionId, DateTimeOffset SentAt,
    DateTimeOffset? AckedAt, string? AckPayload, bool AckIgnored);
