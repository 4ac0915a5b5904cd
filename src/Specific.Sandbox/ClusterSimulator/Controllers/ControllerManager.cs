using Microsoft.Extensions.Logging;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Controllers;

/// <summary>
/// Runs the controllers level-triggered on one loop: after any change to the store, when the clock is advanced,
/// and on a short tick for deadlines that pass with wall-clock time.
/// </summary>
internal sealed partial class ControllerManager : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    private readonly IReadOnlyList<Action> _reconcilers;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public ControllerManager(ObjectStore store, SimulatorClock clock, ILogger logger, IReadOnlyList<Action> reconcilers)
    {
        _reconcilers = reconcilers;
        _logger = logger;
        store.Changed += Wake;
        clock.Advanced += Wake;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one pass covers every change so far.
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var reconcile in _reconcilers)
            {
                try
                {
                    reconcile();
                }
                catch (Exception e)
                {
                    LogReconcileFailed(e, reconcile.Method.DeclaringType?.Name ?? "controller");
                }
            }
            try
            {
                await _wake.WaitAsync(Tick, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _wake.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Controller} failed to reconcile")]
    private partial void LogReconcileFailed(Exception exception, string controller);
}
