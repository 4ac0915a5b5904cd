namespace Specific.Jobs.Storage;

/// <summary>
/// One watcher's pending change notices: a job changed twice before the watcher reads is reported once, at its
/// highest version, so a slow watcher costs memory per job, not per write.
/// </summary>
internal sealed class ChangeInbox : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ChangeSignal _signal = new();
    private OrderedDictionary<string, long> _pending = new(StringComparer.Ordinal);
    private Exception? _failure;

    public void Post(JobChanged change)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(change.JobId, out var known) || known < change.Version)
            {
                _pending[change.JobId] = change.Version;
            }
        }

        _signal.Set();
    }

    /// <summary>Ends the watch: once the pending notices are taken, the next take throws <paramref name="failure"/>.</summary>
    public void Fail(Exception failure)
    {
        lock (_lock)
        {
            _failure ??= failure;
        }

        _signal.Set();
    }

    /// <summary>Waits until at least one notice is pending, then takes every pending notice.</summary>
    public async Task<IReadOnlyList<JobChanged>> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_pending.Count > 0)
                {
                    var taken = _pending;
                    _pending = new(StringComparer.Ordinal);
                    return taken.Select(p => new JobChanged(p.Key, p.Value)).ToList();
                }

                if (_failure is not null)
                {
                    throw new InvalidOperationException("The job change watch has ended.", _failure);
                }
            }

            await _signal.WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }

    public void Dispose() => _signal.Dispose();
}
