namespace Specific.Slack.SocketMode;

/// <summary>Where the Socket Mode connection stands.</summary>
public enum SocketModeState
{
    /// <summary>Socket Mode is not configured (no Slack:AppToken): Slack posts over HTTP.</summary>
    Off,

    /// <summary>Opening the first connection.</summary>
    Connecting,

    /// <summary>At least one connection said hello and delivers envelopes.</summary>
    Connected,

    /// <summary>Every connection was lost; reconnecting with backoff.</summary>
    Reconnecting,

    /// <summary>Slack refused the app-level token; nothing will arrive until the configuration is fixed.</summary>
    Failed,

    /// <summary>The host is shutting down.</summary>
    Stopped,
}

/// <summary>A snapshot of the Socket Mode connection, for readiness checks and logs.</summary>
/// <param name="OpenConnections">Connections that said hello and are not closed.</param>
/// <param name="Reconnects">Connections opened after the first (refreshes and recoveries).</param>
/// <param name="ConnectedSince">Since when at least one connection has been open without a break.</param>
/// <param name="LastError">Why the last attempt failed, or why Socket Mode stopped.</param>
public sealed record SocketModeSnapshot(
    SocketModeState State, int OpenConnections, long Reconnects, DateTimeOffset? ConnectedSince, string? LastError)
{
    /// <summary>True when Slack can deliver to this process: Socket Mode is off (HTTP serves) or a connection is open.</summary>
    public bool CanReceive => State == SocketModeState.Off || OpenConnections > 0;
}

/// <summary>
/// The Socket Mode connection's state, written by <see cref="SocketModeClient"/> and read by anyone (readiness, the
/// sandbox banner, tests). Thread-safe; every read is a consistent snapshot.
/// </summary>
public sealed class SocketModeStatus
{
    private readonly Lock _gate = new();
    private SocketModeSnapshot _snapshot = new(SocketModeState.Off, 0, 0, null, null);

    /// <summary>Raised after every change, with the new snapshot.</summary>
    public event Action<SocketModeSnapshot>? Changed;

    public SocketModeSnapshot Current
    {
        get
        {
            lock (_gate)
            {
                return _snapshot;
            }
        }
    }

    internal void Update(Func<SocketModeSnapshot, SocketModeSnapshot> change)
    {
        SocketModeSnapshot next;
        lock (_gate)
        {
            next = _snapshot = change(_snapshot);
        }

        Changed?.Invoke(next);
    }
}
