namespace Specific.Jobs.Storage;

/// <summary>
/// Lets one caller at a time prune old request keys, at most once per interval, without a lock on the hot path
/// of recording a key.
/// </summary>
internal sealed class PruneSchedule(TimeSpan every)
{
    private long _nextTicks;

    /// <summary>True for exactly one caller once the interval has passed; that caller prunes.</summary>
    public bool IsDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextTicks);
        return now.UtcTicks >= due && Interlocked.CompareExchange(ref _nextTicks, (now + every).UtcTicks, due) == due;
    }
}
