using Specific.Jobs.Storage;

namespace Specific.JobsBot.Tests.Threads.Fakes;

/// <summary>An in-memory <see cref="IThreadStore"/> with real lease semantics, for unit tests of the thread keeper.</summary>
internal sealed class InMemoryThreadStore : IThreadStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, JobThread> threads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> leases = new(StringComparer.Ordinal);

    /// <summary>Every write of a cursor, with the owner that held the lease when it was written.</summary>
    public List<(JobThread Thread, string? LeaseOwner)> Writes { get; } = [];

    public Task<JobThread?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(threads.GetValueOrDefault(jobId));
        }
    }

    public Task SaveAsync(JobThread thread, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            threads[thread.JobId] = thread;
            Writes.Add((thread, leases.TryGetValue(thread.JobId, out var lease) ? lease.Owner : null));
        }
        return Task.CompletedTask;
    }

    public Task<bool> TryLeaseAsync(string jobId, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (leases.TryGetValue(jobId, out var lease) && lease.Owner != owner && lease.Until > now)
            {
                return Task.FromResult(false);
            }
            leases[jobId] = (owner, until);
            return Task.FromResult(true);
        }
    }

    public Task ReleaseAsync(string jobId, string owner, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (leases.TryGetValue(jobId, out var lease) && lease.Owner == owner)
            {
                leases.Remove(jobId);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListOpenAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IReadOnlyList<string> open = threads.Values.Where(thread => !thread.FinalPosted).Select(thread => thread.JobId).ToList();
            return Task.FromResult(open);
        }
    }

    public string? LeaseOwner(string jobId)
    {
        lock (gate)
        {
            return leases.TryGetValue(jobId, out var lease) ? lease.Owner : null;
        }
    }
}
