namespace Specific.Jobs.Storage;

/// <summary>
/// How long the job store keeps what it no longer needs. Bound from the "Retention" section; log lines follow
/// Logs:RetentionDays. Unfinished jobs, their threads and their lines are kept however old.
/// </summary>
public sealed record RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Prune at all (default true); false keeps everything, as before retention existed.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Days a finished job and its thread record are kept after it ended.</summary>
    public int JobDays { get; init; } = 180;

    /// <summary>Days an audit entry is kept (longer than a year, so a yearly review sees the whole year).</summary>
    public int AuditDays { get; init; } = 400;

    /// <summary>Hours a request key is remembered; a Slack retry comes within minutes.</summary>
    public int RequestKeyHours { get; init; } = 24;

    /// <summary>The most rows one delete statement removes.</summary>
    public int BatchSize { get; init; } = 5_000;

    /// <summary>The pause after each full batch, so pruning never holds the store for long.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a pass runs; the first runs this long after start-up, scaled down to at most 5 minutes.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The request key retention as the stores take it.</summary>
    public TimeSpan RequestKeyRetention => TimeSpan.FromHours(RequestKeyHours);
}
