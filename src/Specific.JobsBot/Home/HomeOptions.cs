using System.ComponentModel.DataAnnotations;

namespace Specific.JobsBot.Home;

/// <summary>How the Home tab is kept current ("Home" section).</summary>
public sealed class HomeOptions
{
    public const string Section = "Home";

    /// <summary>At most one views.publish per person in this time; changes in between are coalesced into the next.</summary>
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>views.publish is Tier 4 (100+ a minute per workspace); the bot spends at most this many a minute.</summary>
    [Range(1, 10_000)]
    public int PublishesPerMinute { get; set; } = 100;

    /// <summary>How many people who opened Home this replica follows; past it, the one who opened it longest ago is dropped.</summary>
    [Range(1, 1_000_000)]
    public int MaxViewers { get; set; } = 1000;

    /// <summary>How many ended jobs the tab lists (the unfinished ones are all listed, up to the renderer's cap).</summary>
    [Range(1, HomeTabRenderer.MaxRowsPerList)]
    public int RecentJobs { get; set; } = 10;
}
