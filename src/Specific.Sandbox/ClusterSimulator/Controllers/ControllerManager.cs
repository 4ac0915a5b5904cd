using System.Diagnostics;
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

    /// <summary>A pass slower than this is logged at Debug with each reconciler's share, to find what does not scale.</summary>
    private static readonly TimeSpan SlowPass = TimeSpan.FromMilliseconds(100);

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

    // A thread of its own: hundreds of pod workers and watch streams keep the thread pool busy, and a pass queued
    // behind them was measured waiting up to 800 ms after the change that woke it.
    public void Start() => _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

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

    private void Run()
    {
        var took = new TimeSpan[_reconcilers.Count];
        while (!_stop.IsCancellationRequested)
        {
            var pass = Stopwatch.GetTimestamp();
            for (var i = 0; i < _reconcilers.Count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    _reconcilers[i]();
                }
                catch (Exception e)
                {
                    LogReconcileFailed(e, NameOf(_reconcilers[i]));
                }
                took[i] = Stopwatch.GetElapsedTime(started);
            }
            if (Stopwatch.GetElapsedTime(pass) is var elapsed && elapsed > SlowPass && _logger.IsEnabled(LogLevel.Debug))
            {
                LogSlowPass(elapsed.TotalMilliseconds, string.Join(", ", _reconcilers.Select((r, i) => $"{NameOf(r)} {took[i].TotalMilliseconds:F0} ms")));
            }
            try
            {
                _wake.Wait(Tick, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _wake.Dispose();
    }

    private static string NameOf(Action reconcile) => reconcile.Method.DeclaringType?.Name ?? "controller";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Controller pass took {Milliseconds:F0} ms: {Breakdown}")]
    private partial void LogSlowPass(double milliseconds, string breakdown);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Controller} failed to reconcile")]
    private partial void LogReconcileFailed(Exception exception, string controller);
}
