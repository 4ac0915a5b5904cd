using Microsoft.Extensions.Time.Testing;
using Specific.JobsBot.Home;

namespace Specific.JobsBot.Tests.Home;

/// <summary>The Home tab's pacing on a fake clock: one publish per person per interval, bursts coalesced, never two at once.</summary>
public sealed class HomePublishScheduleTests
{
    private static readonly TimeSpan PerPerson = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan WorkspaceGap = TimeSpan.FromMilliseconds(600);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 13, 0, 0, TimeSpan.Zero));

    private HomePublishSchedule NewSchedule() => new(PerPerson, WorkspaceGap, _clock);

    [Fact]
    public void A_burst_of_requests_for_one_person_is_one_publish()
    {
        var schedule = NewSchedule();
        for (var i = 0; i < 5; i++)
        {
            schedule.Request("U0ANA");
        }

        Assert.Equal("U0ANA", schedule.TakeDue(out _));
        Assert.Null(schedule.TakeDue(out var wait));
        Assert.Equal(Timeout.InfiniteTimeSpan, wait);
    }

    [Fact]
    public void A_change_during_a_publish_waits_for_it_and_then_for_the_interval()
    {
        var schedule = NewSchedule();
        schedule.Request("U0ANA");
        Assert.Equal("U0ANA", schedule.TakeDue(out _));

        // The job changes while the first publish is out: the second must not race it, or an older view could land last.
        schedule.Request("U0ANA");
        _clock.Advance(PerPerson * 2);
        Assert.Null(schedule.TakeDue(out var whilePublishing));
        Assert.Equal(Timeout.InfiniteTimeSpan, whilePublishing);

        schedule.Done("U0ANA");
        Assert.Equal("U0ANA", schedule.TakeDue(out _));
    }

    [Fact]
    public void A_person_is_published_at_most_once_per_interval_and_the_latest_request_is_kept()
    {
        var schedule = NewSchedule();
        schedule.Request("U0ANA");
        Assert.Equal("U0ANA", schedule.TakeDue(out _));
        schedule.Done("U0ANA");

        _clock.Advance(TimeSpan.FromSeconds(1));
        schedule.Request("U0ANA");
        schedule.Request("U0ANA");
        Assert.Null(schedule.TakeDue(out var wait));
        Assert.Equal(TimeSpan.FromSeconds(2), wait);

        _clock.Advance(wait);
        Assert.Equal("U0ANA", schedule.TakeDue(out _));
        schedule.Done("U0ANA");
        Assert.Null(schedule.TakeDue(out _));
    }

    [Fact]
    public void People_share_the_workspace_budget_in_the_order_they_asked()
    {
        var schedule = NewSchedule();
        schedule.Request("U0BO");
        schedule.Request("U0ANA");

        Assert.Equal("U0BO", schedule.TakeDue(out _));
        Assert.Null(schedule.TakeDue(out var wait));
        Assert.Equal(WorkspaceGap, wait);
        _clock.Advance(wait);
        Assert.Equal("U0ANA", schedule.TakeDue(out _));
    }

    [Fact]
    public void A_429_wants_the_publish_again_after_Retry_After_and_pauses_everyone()
    {
        var schedule = NewSchedule();
        schedule.Request("U0ANA");
        Assert.Equal("U0ANA", schedule.TakeDue(out _));

        schedule.Done("U0ANA", TimeSpan.FromSeconds(10), pauseWorkspace: true);
        schedule.Request("U0BO");
        Assert.Null(schedule.TakeDue(out var wait));
        Assert.Equal(TimeSpan.FromSeconds(10), wait);

        _clock.Advance(wait);
        Assert.Equal("U0ANA", schedule.TakeDue(out _));
    }

    [Fact]
    public void People_with_nothing_wanted_are_forgotten_once_their_interval_is_over()
    {
        var schedule = NewSchedule();
        for (var i = 0; i < 50; i++)
        {
            var user = $"U0{i:D3}";
            schedule.Request(user);
            _clock.Advance(WorkspaceGap);
            Assert.Equal(user, schedule.TakeDue(out _));
            schedule.Done(user);
        }

        _clock.Advance(PerPerson);
        Assert.Null(schedule.TakeDue(out _));
        Assert.Equal(0, schedule.Tracked);
    }

    [Fact]
    public void Viewers_are_bounded_and_the_one_who_opened_Home_longest_ago_is_dropped()
    {
        var viewers = new HomeViewers(capacity: 2);

        Assert.Null(viewers.Opened("U0ANA"));
        Assert.Null(viewers.Opened("U0BO"));
        Assert.Null(viewers.Opened("U0ANA"));
        Assert.Equal("U0BO", viewers.Opened("U0CY"));

        Assert.True(viewers.Contains("U0ANA") && viewers.Contains("U0CY"));
        Assert.False(viewers.Contains("U0BO"));
        Assert.Equal(2, viewers.Count);
    }
}
