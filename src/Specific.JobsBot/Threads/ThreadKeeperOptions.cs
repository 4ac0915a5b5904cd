using System.ComponentModel.DataAnnotations;

namespace Specific.JobsBot.Threads;

/// <summary>How the thread keeper batches, paces and leases. Bound from the "Threads" configuration section.</summary>
public sealed class ThreadKeeperOptions
{
    public const string Section = "Threads";

    /// <summary>Output is posted at most this often per job: lines that arrive meanwhile are batched into one reply.</summary>
    public TimeSpan ExcerptInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The most lines one excerpt reads; when more are waiting, the newest win and the rest are counted as skipped.</summary>
    [Range(1, 10_000)]
    public int MaxLinesPerExcerpt { get; set; } = 200;

    /// <summary>How many of the last lines the final reply shows.</summary>
    [Range(1, 1_000)]
    public int FinalTailLines { get; set; } = 25;

    /// <summary>How often a running job's log store is checked for new lines (there is no log notification).</summary>
    public TimeSpan LogPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a keeper owns a thread without renewing; it renews every third of this while working.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often open threads and unfinished Slack jobs are swept, in case a notice was missed or a lease expired.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A running job's message is re-rendered this often so its duration stays roughly true; zero turns it off.</summary>
    public TimeSpan RunningRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A job that took longer than this (from running to its end) also tells its requester by direct message when it
    /// ends, unless they said <c>/specific notify off</c>; the final reply in the thread mentions them either way.
    /// </summary>
    public TimeSpan RequesterDmAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Posts per second into one channel (Slack: about one).</summary>
    [Range(0.01, 100)]
    public double ChannelPostsPerSecond { get; set; } = 1;

    /// <summary>
    /// How many posts into one channel may go out back to back before the rate applies. Slack tolerates short bursts
    /// (about three) without saying how many; one keeps that tolerance in hand for requests paced a second apart that
    /// still reach Slack closer together (a busy host, a slow network). A busy channel posts once a second either way.
    /// </summary>
    [Range(1, 100)]
    public int ChannelBurst { get; set; } = 1;

    /// <summary>Calls per minute per Web API method across the workspace (Slack's tiers); unlisted methods are not limited here.</summary>
    public Dictionary<string, int> MethodsPerMinute { get; set; } = new(StringComparer.Ordinal)
    {
        ["chat.postMessage"] = 300,
        ["chat.update"] = 50,
        ["files.getUploadURLExternal"] = 100,
        ["files.completeUploadExternal"] = 100,
    };

    /// <summary>The first wait after a transient failure; it doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Who this keeper is in the lease table; unique per process unless set.</summary>
    public string? OwnerId { get; set; }
}
