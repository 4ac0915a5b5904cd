using Microsoft.Extensions.Time.Testing;
using Specific.JobsBot.Threads;

namespace Specific.JobsBot.Tests.Threads;

public sealed class SlackPacerTests
{
    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));

    private static SlackPacer Pacer(FakeTimeProvider clock) => new(new ThreadKeeperOptions
    {
        ChannelPostsPerSecond = 1,
        ChannelBurst = 3,
        MethodsPerMinute = new() { ["chat.update"] = 60 },
    }, clock);

    [Fact]
    public void A_channel_allows_a_small_burst_then_one_post_per_second()
    {
        var clock = Clock();
        var pacer = Pacer(clock);

        var waits = Enumerable.Range(0, 6).Select(_ => pacer.ReserveChannel("C1").TotalSeconds).ToList();

        Assert.Equal([0, 0, 0, 1, 2, 3], waits);
        Assert.Equal(TimeSpan.Zero, pacer.ReserveChannel("C2"));
    }

    [Fact]
    public void A_quiet_channel_earns_its_burst_back()
    {
        var clock = Clock();
        var pacer = Pacer(clock);
        for (var i = 0; i < 3; i++) pacer.ReserveChannel("C1");

        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.Zero, pacer.ReserveChannel("C1"));
        Assert.Equal(TimeSpan.Zero, pacer.ReserveChannel("C1"));
    }

    [Fact]
    public void A_method_budget_spaces_calls_across_channels()
    {
        var clock = Clock();
        var pacer = Pacer(clock);

        Assert.Equal(TimeSpan.Zero, pacer.ReserveMethod("chat.update"));
        Assert.Equal(TimeSpan.FromSeconds(1), pacer.ReserveMethod("chat.update"));
        Assert.Equal(TimeSpan.FromSeconds(2), pacer.ReserveMethod("chat.update"));
        Assert.Equal(TimeSpan.Zero, pacer.ReserveMethod("users.info"));
    }

    [Fact]
    public void Retry_After_pauses_the_method_and_the_channel_it_posted_into()
    {
        var clock = Clock();
        var pacer = Pacer(clock);

        pacer.Pause("chat.postMessage", "C1", TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(30), pacer.ReserveMethod("chat.postMessage"));
        Assert.Equal(TimeSpan.FromSeconds(30), pacer.ReserveChannel("C1"));
        Assert.Equal(TimeSpan.Zero, pacer.ReserveChannel("C2"));
        Assert.Equal(TimeSpan.Zero, pacer.ReserveMethod("chat.update"));
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(TimeSpan.Zero, pacer.ReserveMethod("chat.postMessage"));
    }

    [Fact]
    public void A_slot_further_off_than_the_caller_will_wait_is_not_taken_and_says_how_far_off_it_is()
    {
        var clock = Clock();
        var pacer = Pacer(clock);
        Assert.True(pacer.TryReserveMethod("chat.update", TimeSpan.Zero, out var first));
        Assert.Equal(TimeSpan.Zero, first);

        Assert.False(pacer.TryReserveMethod("chat.update", TimeSpan.FromMilliseconds(500), out var refused));
        Assert.Equal(TimeSpan.FromSeconds(1), refused);
        // Refusing took nothing: a caller willing to wait a second still gets the very next slot.
        Assert.True(pacer.TryReserveMethod("chat.update", TimeSpan.FromSeconds(1), out var taken));
        Assert.Equal(TimeSpan.FromSeconds(1), taken);
        Assert.Equal(TimeSpan.FromSeconds(2), pacer.ReserveMethod("chat.update"));
    }

    [Fact]
    public void A_long_wait_for_a_method_budget_does_not_hold_up_the_channel()
    {
        var clock = Clock();
        var pacer = new SlackPacer(new ThreadKeeperOptions
        {
            ChannelPostsPerSecond = 1,
            ChannelBurst = 1,
            MethodsPerMinute = new() { ["files.completeUploadExternal"] = 1 },
        }, clock);
        pacer.ReserveMethod("files.completeUploadExternal");

        // An upload waits a minute for its budget; the channel's next post is still due now, not after the upload.
        Assert.Equal(TimeSpan.FromMinutes(1), pacer.ReserveMethod("files.completeUploadExternal"));
        Assert.Equal(TimeSpan.Zero, pacer.ReserveChannel("C1"));
        Assert.Equal(TimeSpan.FromSeconds(1), pacer.ReserveChannel("C1"));
    }
}
