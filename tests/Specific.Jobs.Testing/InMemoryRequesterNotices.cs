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

    /// <summary>When set, every call waits for this first, as a slow or locked database would.</summary>
    public Task? Gate { get; set; }

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

    public async Task<bool?> GetDmOnJobEndAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await WaitOrFailAsync(cancellationToken);
        lock (_gate)
        {
            return _choices.TryGetValue(userId, out var on) ? on : null;
        }
    }

    public async Task SetDmOnJobEndAsync(string userId, bool on, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await WaitOrFailAsync(cancellationToken);
        lock (_gate)
        {
            _choices[userId] = on;
        }
    }

    public async Task<bool> TryClaimJobEndDmAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        await WaitOrFailAsync(cancellationToken);
        lock (_gate)
        {
            return _claims.TryAdd(jobId, at);
        }
    }

    private async Task WaitOrFailAsync(CancellationToken cancellationToken)
    {
        if (Gate is { } wait)
        {
            await wait.WaitAsync(cancellationToken);
        }

        if (FailWith is { } failure)
        {
            throw failure;
        }
    }
}
