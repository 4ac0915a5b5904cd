using Specific.Jobs.Storage;

namespace Specific.Jobs.Testing;

/// <summary>Request keys in memory for unit tests; each key has one effect, or every call fails when told to.</summary>
public sealed class InMemoryRequestLedger : IRequestLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _keys = new(StringComparer.Ordinal);

    /// <summary>When set, every call fails with this, as an unreachable database would.</summary>
    public Exception? FailWith { get; set; }

    /// <summary>When set, every call waits for this first, as a slow or locked database would.</summary>
    public Task? Gate { get; set; }

    public async Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (Gate is { } wait)
        {
            await wait.WaitAsync(cancellationToken);
        }

        if (FailWith is { } failure)
        {
            throw failure;
        }

        lock (_gate)
        {
            return _keys.TryAdd(key, at);
        }
    }
}
