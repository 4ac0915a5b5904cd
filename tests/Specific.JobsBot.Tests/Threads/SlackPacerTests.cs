using Specific.JobsBot.Threads;

namespace Specific.JobsBot.Tests.Threads;

public sealed class SlackPacerTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static SlackPacer Pacer(ManualClock clock) => new(new ThreadKeeperOptions
    {
        ChannelPostsPerSecond = 1,
        ChannelBurst = 3,
        MethodsPerMinute = new() { ["chat.update"] = 60 },
    }, clock);

    [Fact]
    public void A_channel_allows_a_small_burst_then_one_post_per_second()
    {
        var clock = new ManualClock();
        var pacer = Pacer(clock);

        var waits = Enumerable.Range(0, 6).Select(_ => pacer.Reserve("chat.postMessage", "C1").TotalSeconds).ToList();

        Assert.Equal([0, 0, 0, 1, 2, 3], waits);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("chat.postMessage", "C2"));
    }

    [Fact]
    public void A_quiet_channel_earns_its_burst_back()
    {
        var clock = new ManualClock();
        var pacer = Pacer(clock);
        for (var i = 0; i < 3; i++) pacer.Reserve("chat.postMessage", "C1");

        clock.Now += TimeSpan.FromSeconds(10);

        Assert.Equal(TimeSpan.Zero, pacer.Reserve("chat.postMessage", "C1"));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("chat.postMessage", "C1"));
    }

    [Fact]
    public void A_method_budget_spaces_calls_across_channels()
    {
        var clock = new ManualClock();
        var pacer = Pacer(clock);

        Assert.Equal(TimeSpan.Zero, pacer.Reserve("chat.update", null));
        Assert.Equal(TimeSpan.FromSeconds(1), pacer.Reserve("chat.update", null));
        Assert.Equal(TimeSpan.FromSeconds(2), pacer.Reserve("chat.update", null));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("users.info", null));
    }

    [Fact]
    public void Retry_After_pauses_the_method_and_the_channel_it_posted_into()
    {
        var clock = new ManualClock();
        var pacer = Pacer(clock);

        pacer.Pause("chat.postMessage", "C1", TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(30), pacer.Reserve("chat.postMessage", "C2"));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("chat.update", null));
        clock.Now += TimeSpan.FromSeconds(31);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("chat.postMessage", "C3"));
    }

    [Fact]
    public void A_slot_further_off_than_the_caller_will_wait_is_not_taken_and_says_how_far_off_it_is()
    {
        var clock = new ManualClock();
        var pacer = Pacer(clock);
        Assert.True(pacer.TryReserve("chat.update", null, TimeSpan.Zero, out var first));
        Assert.Equal(TimeSpan.Zero, first);

        Assert.False(pacer.TryReserve("chat.update", null, TimeSpan.FromMilliseconds(500), out var refused));
        Assert.Equal(TimeSpan.FromSeconds(1), refused);
        // Refusing took nothing: a caller willing to wait a second still gets the very next slot.
        Assert.True(pacer.TryReserve("chat.update", null, TimeSpan.FromSeconds(1), out var taken));
        Assert.Equal(TimeSpan.FromSeconds(1), taken);
        Assert.Equal(TimeSpan.FromSeconds(2), pacer.Reserve("chat.update", null));
    }
}
