using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Specific.JobsBot.FrontDoor;
using Specific.JobsBot.Hosting;
using Specific.JobsBot.Tests.Threads;
using Specific.JobsBot.Work;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>A stop finishes what the front door accepted, refuses what comes after, and hands threads off at once.</summary>
public sealed class GracefulShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Work_in_flight_and_work_still_queued_finish_before_the_stop_returns()
    {
        var queue = new FrontDoorQueue();
        await using var services = new ServiceCollection().BuildServiceProvider();
        using var worker = new FrontDoorWorker(queue, services.GetRequiredService<IServiceScopeFactory>(), NullLogger<FrontDoorWorker>.Instance);
        await worker.StartAsync(Ct);

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new List<string>();
        var tokenCancelled = false;
        Assert.True(queue.TryEnqueue("slow start", async (_, token) =>
        {
            started.SetResult();
            await release.Task;
            tokenCancelled = token.IsCancellationRequested;
            lock (finished)
            {
                finished.Add("slow start");
            }
        }));
        await started.Task.WaitAsync(Ct);
        for (var i = 0; i < FrontDoorWorker.Concurrency + 2; i++)
        {
            var name = $"queued {i}";
            Assert.True(queue.TryEnqueue(name, (_, _) =>
            {
                lock (finished)
                {
                    finished.Add(name);
                }
                return Task.CompletedTask;
            }));
        }

        using var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var stopping = worker.StopAsync(shutdownTimeout.Token);
        await Task.Delay(200, Ct);
        Assert.False(stopping.IsCompleted, "The stop returned while accepted work was still running.");
        Assert.True(queue.IsClosed);
        Assert.False(queue.TryEnqueue("after the stop", (_, _) => Task.CompletedTask));

        release.SetResult();
        await stopping.WaitAsync(Ct);

        Assert.False(tokenCancelled, "Accepted work was cancelled by the stop itself, not by the shutdown timeout.");
        Assert.Equal(FrontDoorWorker.Concurrency + 3, finished.Count);
    }

    [Fact]
    public async Task Work_still_running_when_the_shutdown_timeout_ends_is_cancelled_and_the_stop_returns()
    {
        var queue = new FrontDoorQueue();
        await using var services = new ServiceCollection().BuildServiceProvider();
        using var worker = new FrontDoorWorker(queue, services.GetRequiredService<IServiceScopeFactory>(), NullLogger<FrontDoorWorker>.Instance);
        await worker.StartAsync(Ct);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.TryEnqueue("never ends", async (_, token) =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                sawCancel.SetResult();
            }
        });
        await started.Task.WaitAsync(Ct);

        using var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await worker.StopAsync(shutdownTimeout.Token).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        await sawCancel.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }

    [Fact]
    public async Task Once_the_front_door_is_closed_Slack_s_endpoints_answer_503_with_Retry_After()
    {
        await using var bot = await OpsApp.StartAsync();
        bot.Services.GetRequiredService<FrontDoorQueue>().Close();

        using var answer = await bot.SlashCommandAsync("help");

        Assert.Equal(503, (int)answer.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(SlackFrontDoor.StoppingRetryAfterSeconds), answer.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Readiness_turns_unready_as_soon_as_the_host_begins_to_stop()
    {
        await using var bot = await OpsApp.StartAsync();
        Assert.Equal(200, (await bot.ReadyAsync()).Status);

        // The first step of the host's stop (SIGTERM), before any service stops; the drain delay is zero here.
        await bot.Services.GetRequiredService<GracefulShutdown>().StoppingAsync(Ct);
        var (status, body) = await bot.ReadyAsync();

        Assert.Equal(503, status);
        Assert.Equal(["shutdown"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_stopping_thread_keeper_releases_its_lease_so_another_replica_takes_the_thread_at_once()
    {
        // A lease long enough that only a release, never an expiry, lets the second replica in within the test.
        await using var harness = await ThreadKeeperHarness.StartAsync(configure: options => options.LeaseDuration = TimeSpan.FromMinutes(10));
        var job = await harness.CreateSlackJobAsync();
        var first = await harness.StartKeeperAsync("replica-a");
        await harness.WaitForThreadAsync(job.Id, thread => thread.MessageTs is not null);
        Assert.Equal("replica-a", harness.Threads.LeaseOwner(job.Id));

        await harness.StopKeeperAsync(first);

        Assert.Null(harness.Threads.LeaseOwner(job.Id));
        var now = DateTimeOffset.UtcNow;
        Assert.True(await harness.Threads.TryLeaseAsync(job.Id, "replica-b", now, now + TimeSpan.FromMinutes(1), Ct));
    }
}
