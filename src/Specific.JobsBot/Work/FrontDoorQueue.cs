using System.Threading.Channels;
using Specific.Jobs.Observability;
using Specific.JobsBot.Observability;

namespace Specific.JobsBot.Work;

/// <summary>One piece of work the front door does after it has answered Slack, in its own DI scope.</summary>
/// <param name="Description">What it does, for the log ("start job j-…", "open the run modal").</param>
/// <param name="JobId">The job it works for, if any: its log lines then carry the JobId scope.</param>
public sealed record FrontDoorWork(string Description, Func<IServiceProvider, CancellationToken, Task> RunAsync, string? JobId = null);

/// <summary>
/// The bounded queue between the Slack endpoints and <see cref="FrontDoorWorker"/>: an endpoint answers within Slack's
/// 3 seconds and leaves recording, starting and Web API calls here. Bounded, so a flood is refused, not buffered.
/// Closed when the bot stops: from then on nothing new is accepted, and what was accepted still runs.
/// </summary>
public sealed partial class FrontDoorQueue(FrontDoorMetrics? metrics = null, ILogger<FrontDoorQueue>? logger = null)
{
    public const int Capacity = 1024;

    private readonly Channel<FrontDoorWork> _channel = Channel.CreateBounded<FrontDoorWork>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private volatile bool _closed;

    /// <summary>
    /// Queues work; false when the queue is full (the endpoint should say the bot is busy) or closed. A refusal while
    /// open is counted and logged: a button click has no answer to carry it, so this is where an operator sees it.
    /// </summary>
    public bool TryEnqueue(string description, Func<IServiceProvider, CancellationToken, Task> runAsync, string? jobId = null)
    {
        if (_channel.Writer.TryWrite(new FrontDoorWork(description, runAsync, jobId)))
        {
            return true;
        }

        if (!_closed)
        {
            metrics?.Refused();
            if (logger is not null)
            {
                LogRefused(logger, Capacity, description);
            }
        }

        return false;
    }

    /// <summary>True once the bot stopped taking work; Slack's endpoints then answer 503.</summary>
    public bool IsClosed => _closed;

    /// <summary>Takes nothing more; the reader still gets what was queued, then its end.</summary>
    public void Close()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }

    public ChannelReader<FrontDoorWork> Reader => _channel.Reader;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The front door's queue is full ({Capacity} waiting): refused to {Description}")]
    private static partial void LogRefused(ILogger logger, int capacity, string description);
}

/// <summary>
/// Drains <see cref="FrontDoorQueue"/>, running a few items at once so one slow start never delays a modal. On stop it
/// closes the queue and finishes every accepted item; only when the host's shutdown timeout runs out are the items
/// still running cancelled and those not yet started dropped (and logged).
/// </summary>
public sealed partial class FrontDoorWorker(
    FrontDoorQueue queue, IServiceScopeFactory scopes, ILogger<FrontDoorWorker> logger) : IHostedService, IDisposable
{
    /// <summary>How many items run at once: views.open must not wait behind a slow Kubernetes call.</summary>
    public const int Concurrency = 8;

    // Cancelled only when the shutdown timeout runs out, never by the stop itself: accepted work gets to finish.
    private readonly CancellationTokenSource _giveUp = new();
    private Task _draining = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _draining = Task.Run(DrainAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        LogClosing(queue.Reader.Count);
        await using var deadline = cancellationToken.Register(_giveUp.Cancel);
        try
        {
            await _draining.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled here too: the registration above may be gone before its callback ran.
            await _giveUp.CancelAsync();
            LogShutdownTimedOut();
        }
    }

    private async Task DrainAsync()
    {
        using var slots = new SemaphoreSlim(Concurrency);
        // Ends once the queue is closed and empty.
        await foreach (var work in queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await slots.WaitAsync(_giveUp.Token);
            }
            catch (OperationCanceledException)
            {
                LogDropped(work.Description);
                continue;
            }

            _ = RunOneAsync(work, slots);
        }

        // Holding every slot means nothing is in flight any more.
        for (var slot = 0; slot < Concurrency; slot++)
        {
            await slots.WaitAsync(CancellationToken.None);
        }
    }

    private async Task RunOneAsync(FrontDoorWork work, SemaphoreSlim slots)
    {
        await Task.Yield();
        using var scope = work.JobId is { } jobId ? JobLogScope.Begin(logger, jobId) : null;
        try
        {
            await using var services = scopes.CreateAsyncScope();
            await work.RunAsync(services.ServiceProvider, _giveUp.Token);
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

    public void Dispose() => _giveUp.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Front door work failed: {Description}")]
    private partial void LogWorkFailed(Exception exception, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Front door closed: finishing {Queued} queued items and those in flight")]
    private partial void LogClosing(int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown timeout reached: cancelling the front door work still running")]
    private partial void LogShutdownTimedOut();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown timeout reached before this front door work started; dropped: {Description}")]
    private partial void LogDropped(string description);
}
