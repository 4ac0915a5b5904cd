using System.Threading.Channels;

namespace Specific.JobsBot.Hosting;

/// <summary>One piece of work the front door does after it has answered Slack, in its own DI scope.</summary>
/// <param name="Description">What it does, for the log ("start job j-…", "open the run modal").</param>
public sealed record FrontDoorWork(string Description, Func<IServiceProvider, CancellationToken, Task> RunAsync);

/// <summary>
/// The bounded queue between the Slack endpoints and <see cref="FrontDoorWorker"/>: an endpoint answers within Slack's
/// 3 seconds and leaves recording, starting and Web API calls here. Bounded, so a flood is refused, not buffered.
/// </summary>
public sealed class FrontDoorQueue
{
    public const int Capacity = 1024;

    private readonly Channel<FrontDoorWork> _channel = Channel.CreateBounded<FrontDoorWork>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    /// <summary>Queues work; false when the queue is full, and the endpoint should say the bot is busy.</summary>
    public bool TryEnqueue(string description, Func<IServiceProvider, CancellationToken, Task> runAsync) =>
        _channel.Writer.TryWrite(new FrontDoorWork(description, runAsync));

    public ChannelReader<FrontDoorWork> Reader => _channel.Reader;
}

/// <summary>Drains <see cref="FrontDoorQueue"/>, running a few items at once so one slow start never delays a modal.</summary>
public sealed partial class FrontDoorWorker(
    FrontDoorQueue queue, IServiceScopeFactory scopes, ILogger<FrontDoorWorker> logger) : BackgroundService
{
    /// <summary>How many items run at once: views.open must not wait behind a slow Kubernetes call.</summary>
    public const int Concurrency = 8;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(Concurrency);
        try
        {
            await foreach (var work in queue.Reader.ReadAllAsync(stoppingToken))
            {
                await slots.WaitAsync(stoppingToken);
                _ = RunOneAsync(work, slots, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is in flight finishes (each item cleans up after a cancelled token).
        }

        // Holding every slot means nothing is in flight any more.
        for (var slot = 0; slot < Concurrency; slot++)
        {
            await slots.WaitAsync(CancellationToken.None);
        }
    }

    private async Task RunOneAsync(FrontDoorWork work, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await work.RunAsync(scope.ServiceProvider, stoppingToken);
        }
        catch (Exception ex)
        {
            LogWorkFailed(ex, work.Description);
        }
        finally
        {
            slots.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Front door work failed: {Description}")]
    private partial void LogWorkFailed(Exception exception, string description);
}
