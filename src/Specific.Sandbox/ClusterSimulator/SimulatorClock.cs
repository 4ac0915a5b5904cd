namespace Specific.Sandbox.ClusterSimulator;

/// <summary>The simulator's notion of now: wall-clock time plus whatever tests have advanced it by.</summary>
public sealed class SimulatorClock
{
    private readonly TimeProvider _time;
    private long _offsetTicks;

    internal SimulatorClock(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Raised after <see cref="Advance"/> so time-driven controllers re-check their deadlines at once.</summary>
    internal event Action? Advanced;

    /// <summary>Now, as every controller, event and age in the simulator sees it.</summary>
    public DateTime UtcNow => _time.GetUtcNow().UtcDateTime.AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves simulated time forward, e.g. past a Job's ttlSecondsAfterFinished.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
        Advanced?.Invoke();
    }
}
