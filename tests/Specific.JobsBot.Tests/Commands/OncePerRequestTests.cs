using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;
using Specific.JobsBot.Work;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Commands;

public sealed class OncePerRequestTests
{
    private static readonly ReplyTarget Nobody = new(ResponseUrl: null, ChannelId: null, UserId: "U0ALICE");

    private readonly InMemoryRequestLedger _ledger = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private int _runs;

    /// <summary>One replica: its own memory and queue; the ledger is shared, as PostgreSQL is across replicas.</summary>
    private (OncePerRequest Once, FrontDoorQueue Queue) Replica()
    {
        var queue = new FrontDoorQueue();
        return (new OncePerRequest(queue, _clock, NullLogger<OncePerRequest>.Instance), queue);
    }

    private OnceOutcome Enqueue(OncePerRequest once, string? key) =>
        once.TryEnqueue(key, "count a run", Nobody, (_, _) =>
        {
            Interlocked.Increment(ref _runs);
            return Task.CompletedTask;
        });

    /// <summary>Runs what the queue holds, as FrontDoorWorker would.</summary>
    private async Task DrainAsync(FrontDoorQueue queue)
    {
        await using var services = new ServiceCollection().AddSingleton<IRequestLedger>(_ledger).BuildServiceProvider();
        while (queue.Reader.TryRead(out var work))
        {
            await work.RunAsync(services, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_repeat_on_the_same_replica_is_turned_away_before_the_queue()
    {
        var (once, queue) = Replica();

        Assert.Equal(OnceOutcome.Queued, Enqueue(once, "slack:command:T1:trigger-1"));
        Assert.Equal(OnceOutcome.Repeat, Enqueue(once, "slack:command:T1:trigger-1"));
        await DrainAsync(queue);

        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task A_repeat_on_another_replica_is_queued_but_the_shared_ledger_runs_it_once()
    {
        var (first, firstQueue) = Replica();
        var (second, secondQueue) = Replica();

        Assert.Equal(OnceOutcome.Queued, Enqueue(first, "slack:command:T1:trigger-1"));
        Assert.Equal(OnceOutcome.Queued, Enqueue(second, "slack:command:T1:trigger-1"));
        await DrainAsync(secondQueue);
        await DrainAsync(firstQueue);

        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task A_repeat_after_the_memory_window_is_still_stopped_by_the_durable_ledger()
    {
        var (once, queue) = Replica();
        Assert.Equal(OnceOutcome.Queued, Enqueue(once, "slack:command:T1:trigger-1"));
        await DrainAsync(queue);

        _clock.Advance(OncePerRequest.MemoryWindow + TimeSpan.FromSeconds(1));
        Assert.Equal(OnceOutcome.Queued, Enqueue(once, "slack:command:T1:trigger-1"));
        await DrainAsync(queue);

        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task Requests_without_a_key_always_run()
    {
        var (once, queue) = Replica();

        Assert.Equal(OnceOutcome.Queued, Enqueue(once, null));
        Assert.Equal(OnceOutcome.Queued, Enqueue(once, null));
        await DrainAsync(queue);

        Assert.Equal(2, _runs);
    }

    [Fact]
    public async Task A_full_queue_is_busy_and_forgets_the_key_so_the_retry_can_run()
    {
        var (once, queue) = Replica();
        for (var i = 0; i < FrontDoorQueue.Capacity; i++)
        {
            Assert.Equal(OnceOutcome.Queued, Enqueue(once, $"filler-{i}"));
        }

        Assert.Equal(OnceOutcome.Busy, Enqueue(once, "slack:command:T1:trigger-1"));
        await DrainAsync(queue);
        Assert.Equal(OnceOutcome.Queued, Enqueue(once, "slack:command:T1:trigger-1"));
        await DrainAsync(queue);

        Assert.Equal(FrontDoorQueue.Capacity + 1, _runs);
    }

    [Fact]
    public async Task A_ledger_outage_starts_nothing_and_lets_the_same_request_try_again()
    {
        var (once, queue) = Replica();
        _ledger.FailWith = new InvalidOperationException("database is locked");
        Assert.Equal(OnceOutcome.Queued, Enqueue(once, "slack:command:T1:trigger-1"));
        await DrainAsync(queue);

        Assert.Equal(0, _runs);
        _ledger.FailWith = null;
        Assert.Equal(OnceOutcome.Queued, Enqueue(once, "slack:command:T1:trigger-1"));
        await DrainAsync(queue);
        Assert.Equal(1, _runs);
    }
}
