namespace Specific.Sandbox.Tests.Temporal;

/// <summary>A TimeProvider whose time and timers stand still until a test advances it; due timers fire on the advancing thread.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward and runs every timer that came due, in due order.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }
        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= target).MinBy(t => t.Due);
                if (next is null)
                {
                    _now = target;
                    return;
                }
                _now = next.Due;
                _timers.Remove(next);
            }
            next.Fire();
        }
    }

    private void Schedule(ManualTimer timer, DateTimeOffset? due)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (due is { } at)
            {
                timer.Due = at < _now ? _now : at;
                _timers.Add(timer);
            }
        }
    }

    private sealed class ManualTimer(ManualTime time, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            time.Schedule(this, dueTime == Timeout.InfiniteTimeSpan ? null : time.GetUtcNow() + dueTime);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => time.Schedule(this, null);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
