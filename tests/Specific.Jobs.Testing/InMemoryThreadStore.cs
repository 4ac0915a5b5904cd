using Specific.Jobs.Storage;

namespace Specific.Jobs.Testing;

/// <summary>An in-memory <see cref="IThreadStore"/> with real lease semantics, for unit tests of the thread keeper.</summary>
public sealed class InMemoryThreadStore : IThreadStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JobThread> _threads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _leases = new(StringComparer.Ordinal);
    private readonly List<(JobThread Thread, string? LeaseOwner)> _writes = [];

    /// <summary>Every write of a cursor, with the owner that held the lease when it was written.</summary>
    public IReadOnlyList<(JobThread Thread, string? LeaseOwner)> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
            }
        }
    }

    public Task<JobThread?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_threads.GetValueOrDefault(jobId));
        }
    }

    public Task SaveAsync(JobThread thread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thread);
        lock (_gate)
        {
            _threads[thread.JobId] = thread;
            _writes.Add((thread, _leases.TryGetValue(thread.JobId, out var lease) ? lease.Owner : null));
        }

        return Task.CompletedTask;
    }

    public Task<bool> TryLeaseAsync(string jobId, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_leases.TryGetValue(jobId, out var lease) && lease.Owner != owner && lease.Until > now)
            {
                return Task.FromResult(false);
            }

            _leases[jobId] = (owner, until);
            return Task.FromResult(true);
        }
    }

    public Task ReleaseAsync(string jobId, string owner, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_leases.TryGetValue(jobId, out var lease) && lease.Owner == owner)
            {
                _leases.Remove(jobId);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListOpenAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<string> open = _threads.Values
                .Where(thread => !thread.FinalPosted)
                .Select(thread => thread.JobId)
                .Order(StringComparer.Ordinal)
                .ToList();
            return Task.FromResult(open);
        }
    }

    /// <summary>Who holds the lease on a job's thread now, if anyone.</summary>
    public string? LeaseOwner(string jobId)
    {
        lock (_gate)
        {
            return _leases.TryGetValue(jobId, out var lease) ? lease.Owner : null;
        }
    }
}
