using Specific.Jobs.Storage;

namespace Specific.Jobs.Testing;

/// <summary>Requester notices in memory for unit tests: each person's choice, and each job's claim once; or every call fails when told to.</summary>
public sealed class InMemoryRequesterNotices : IRequesterNotices
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, bool> _choices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _claims = new(StringComparer.Ordinal);

    /// <summary>When set, every call fails with this, as an unreachable database would.</summary>
    public Exception? FailWith { get; set; }

    /// <summary>The jobs whose end-of-job message was claimed, in no order.</summary>
    public IReadOnlyCollection<string> Claimed
    {
        get
        {
            lock (_gate)
            {
                return [.. _claims.Keys];
            }
        }
    }

    public Task<bool?> GetDmOnJobEndAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ThrowIfFailing();
        lock (_gate)
        {
            return Task.FromResult(_choices.TryGetValue(userId, out var on) ? on : (bool?)null);
        }
    }

    public Task SetDmOnJobEndAsync(string userId, bool on, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ThrowIfFailing();
        lock (_gate)
        {
            _choices[userId] = on;
        }
        return Task.CompletedTask;
    }

    public Task<bool> TryClaimJobEndDmAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        ThrowIfFailing();
        lock (_gate)
        {
            return Task.FromResult(_claims.TryAdd(jobId, at));
        }
    }

    private void ThrowIfFailing()
    {
        if (FailWith is { } failure)
        {
            throw failure;
        }
    }
}
