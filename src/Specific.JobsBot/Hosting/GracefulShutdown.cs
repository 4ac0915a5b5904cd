using Microsoft.Extensions.Options;

namespace Specific.JobsBot.Hosting;

/// <summary>
/// The first step of a stop (SIGTERM): /readyz turns unready at once, and the bot keeps answering for
/// Bot:DrainDelay while the load balancer takes it out of rotation. Then the host stops its services: the front door
/// closes its queue (Slack's endpoints answer 503) and finishes what it had accepted, the thread keeper releases its
/// leases, all within Bot:ShutdownTimeout.
/// </summary>
public sealed partial class GracefulShutdown(
    IHostApplicationLifetime lifetime, IOptions<BotOptions> options, ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    private volatile bool _stopping;

    /// <summary>True from the moment the host begins to stop.</summary>
    public bool IsStopping => _stopping || lifetime.ApplicationStopping.IsCancellationRequested;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var drain = options.Value.DrainDelay;
        LogStopping(drain.TotalSeconds);
        if (drain <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(drain, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The shutdown timeout is shorter than the drain delay; the validator refuses that, but never hang a stop.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: not ready any more; still answering for {DrainSeconds} s before closing the front door")]
    private partial void LogStopping(double drainSeconds);
}
