namespace Specific.Jobs.Storage;

/// <summary>Settings of <see cref="PostgresJobStore"/>; the defaults suit production.</summary>
public sealed record PostgresJobStoreOptions
{
    /// <summary>The schema holding the tables; null takes the first entry of the connection string's Search Path, else "public".</summary>
    public string? Schema { get; init; }

    /// <summary>How long a request key is remembered; a Slack retry comes within minutes.</summary>
    public TimeSpan RequestKeyRetention { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How often an idle watcher checks its connection and moves its catch-up point forward.</summary>
    public TimeSpan WatchHeartbeat { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How far before its last known-good moment a reconnected watcher looks for changes it may have missed.</summary>
    public TimeSpan WatchCatchUpWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest pause between two attempts to reconnect a watcher.</summary>
    public TimeSpan WatchReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(30);
}
