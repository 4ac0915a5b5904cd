namespace Specific.Jobs.Storage;

/// <summary>Settings of <see cref="SqliteJobStore"/>; the defaults suit the embedded default.</summary>
public sealed record SqliteJobStoreOptions
{
    /// <summary>How long a request key is remembered; a Slack retry comes within minutes.</summary>
    public TimeSpan RequestKeyRetention { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How often a watcher looks for writes made by another process on the same file.</summary>
    public TimeSpan WatchPollInterval { get; init; } = TimeSpan.FromSeconds(2);
}
