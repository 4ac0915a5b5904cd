using System.Diagnostics;
using Specific.Sandbox.SlackStandIn;

namespace Specific.Sandbox.Tests.Slack;

public sealed class RateLimitAndFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Posting_faster_than_the_channel_rate_gets_429_with_retry_after_after_a_small_burst()
    {
        // A slow refill (1 per 10 s) keeps the outcome independent of how loaded this machine is.
        await using var host = await StandInHost.StartAsync(o => o.RateLimits = new SlackRateLimits { PostMessageBurstPerChannel = 3, PostMessagesPerSecondPerChannel = 0.1 });

        var answers = new List<ApiResponse>();
        for (var i = 0; i < 5; i++)
            answers.Add(await host.CallAsync("chat.postMessage", new { channel = "C0BUSY", text = $"m{i}" }));
        var otherChannel = await host.CallAsync("chat.postMessage", new { channel = "C0QUIET", text = "elsewhere" });

        Assert.All(answers.Take(3), a => Assert.True(a.Ok));
        var limited = answers[3];
        Assert.Equal(429, limited.Status);
        Assert.Equal("ratelimited", limited.Error);
        Assert.NotNull(limited.RetryAfter);
        Assert.InRange(limited.RetryAfter.Value.TotalSeconds, 1, 10);
        Assert.True(otherChannel.Ok, "the per-channel limit must not spill into other channels");
        Assert.Equal(3, host.Slack.ChannelMessages("C0BUSY").Count);
    }

    [Fact]
    public async Task An_observer_token_reads_threads_outside_the_limits_unrecorded_and_cannot_post()
    {
        const string observer = "xoxp-observer";
        await using var host = await StandInHost.StartAsync(o =>
        {
            o.ObserverToken = observer;
            o.RateLimits = new SlackRateLimits { Tier3PerMinute = 2 };
        });
        var parent = await host.CallAsync("chat.postMessage", new { channel = "C0WATCH", text = "job" });
        await host.CallAsync("chat.postMessage", new { channel = "C0WATCH", text = "line", thread_ts = parent.S("ts") });
        var recorded = host.Slack.Calls.Count;

        var reads = new List<ApiResponse>();
        for (var i = 0; i < 5; i++)
            reads.Add(await host.CallAsync("conversations.replies", new { channel = "C0WATCH", ts = parent.S("ts") }, token: observer));
        var post = await host.CallAsync("chat.postMessage", new { channel = "C0WATCH", text = "not mine" }, token: observer);
        var botRead = await host.CallAsync("conversations.replies", new { channel = "C0WATCH", ts = parent.S("ts") });

        Assert.All(reads, r => Assert.True(r.Ok, r.Error));
        Assert.Equal(2, reads[^1].Body["messages"]!.AsArray().Count);
        Assert.Equal("not_allowed_token_type", post.Error);
        Assert.True(botRead.Ok, "the observer's reads must not spend the bot's tier 3 allowance");
        Assert.Equal(recorded + 1, host.Slack.Calls.Count);
    }

    [Fact]
    public async Task Tier_3_method_allows_its_minute_allowance_then_answers_429()
    {
        await using var host = await StandInHost.StartAsync(o => o.RateLimits = new SlackRateLimits { Tier3PerMinute = 5 });

        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
            statuses.Add((await host.CallAsync("conversations.info", new { channel = "C0SANDBOX" })).Status);
        var tier4 = await host.CallAsync("users.info", new { user = "U0SANDBOX" });

        Assert.Equal([200, 200, 200, 200, 200, 429], statuses);
        Assert.True(tier4.Ok);
        Assert.Contains(host.Slack.Calls, c => c is { Method: "conversations.info", StatusCode: 429, Error: "ratelimited" });
    }

    [Fact]
    public async Task Scaled_limits_refill_quickly_so_a_client_that_waits_retry_after_succeeds()
    {
        // 1 per minute scaled 12 times: one call every 5 s
        await using var host = await StandInHost.StartAsync(o => o.RateLimits = new SlackRateLimits { Tier3PerMinute = 1, Scale = 12 });

        Assert.True((await host.CallAsync("conversations.info", new { channel = "C0SANDBOX" })).Ok);
        var limited = await host.CallAsync("conversations.info", new { channel = "C0SANDBOX" });
        Assert.Equal(429, limited.Status);
        Assert.InRange(limited.RetryAfter!.Value.TotalSeconds, 1, 5);
        // Retry-After plus a quarter second: the bucket refills on a Stopwatch and Task.Delay counts whole milliseconds of
        // the tick clock, so a wait of exactly Retry-After can end a hair before the token is back (failed once).
        await Task.Delay(limited.RetryAfter.Value + TimeSpan.FromMilliseconds(250), Ct);

        var retried = await host.CallAsync("conversations.info", new { channel = "C0SANDBOX" });
        Assert.True(retried.Ok, $"after waiting Retry-After ({limited.RetryAfter.Value.TotalSeconds} s) the call got {retried.Status}, Retry-After {retried.RetryAfter}");
    }

    [Fact]
    public async Task Limits_switched_off_never_answer_429()
    {
        await using var host = await StandInHost.StartAsync(o => o.RateLimits = SlackRateLimits.Off);

        for (var i = 0; i < 20; i++)
            Assert.True((await host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "x" })).Ok);
    }

    [Fact]
    public async Task Rate_limit_storm_hits_the_next_calls_of_one_method_only()
    {
        await using var host = await StandInHost.StartAsync();
        host.Slack.Faults.RateLimitNext(2, "chat.update", retryAfterSeconds: 7);

        var other = await host.CallAsync("auth.test");
        var first = await host.CallAsync("chat.update", new { channel = "C0SANDBOX", ts = "1.1", text = "x" });
        var second = await host.CallAsync("chat.update", new { channel = "C0SANDBOX", ts = "1.1", text = "x" });
        var third = await host.CallAsync("chat.update", new { channel = "C0SANDBOX", ts = "1.1", text = "x" });

        Assert.True(other.Ok);
        Assert.Equal((429, "ratelimited"), (first.Status, first.Error));
        Assert.Equal(TimeSpan.FromSeconds(7), first.RetryAfter);
        Assert.Equal(429, second.Status);
        Assert.Equal((200, "message_not_found"), (third.Status, third.Error));
    }

    [Fact]
    public async Task Rate_limit_storm_for_a_duration_ends_on_time()
    {
        await using var host = await StandInHost.StartAsync();
        // Long enough that a first call on a busy machine still lands inside it; the second waits until it is over.
        var storm = TimeSpan.FromSeconds(2);
        var started = Stopwatch.StartNew();
        host.Slack.Faults.RateLimitFor(storm);

        Assert.Equal(429, (await host.CallAsync("auth.test")).Status);
        var left = storm - started.Elapsed + TimeSpan.FromMilliseconds(200);
        await Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, Ct);

        Assert.True((await host.CallAsync("auth.test")).Ok);
    }

    [Fact]
    public async Task Server_error_fault_answers_500_once()
    {
        await using var host = await StandInHost.StartAsync();
        host.Slack.Faults.ServerErrorNext(1);

        using var response = await host.Http.PostAsync("auth.test", null, Ct);

        Assert.Equal(500, (int)response.StatusCode);
        Assert.True((await host.CallAsync("auth.test")).Ok);
    }

    [Fact]
    public async Task Slow_fault_delays_the_answer()
    {
        await using var host = await StandInHost.StartAsync();
        host.Slack.Faults.SlowNext(1, TimeSpan.FromMilliseconds(800), "auth.test");

        var started = Stopwatch.GetTimestamp();
        var response = await host.CallAsync("auth.test");

        Assert.True(response.Ok);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(750));
    }

    [Fact]
    public async Task Dropped_connection_fault_gives_the_client_no_answer()
    {
        await using var host = await StandInHost.StartAsync();
        host.Slack.Faults.DropNext(1, "chat.postMessage");

        await Assert.ThrowsAsync<HttpRequestException>(() => host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "lost" }));

        Assert.Empty(host.Slack.ChannelMessages("C0SANDBOX"));
        Assert.True((await host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "kept" })).Ok);
    }
}
