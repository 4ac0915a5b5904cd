using Specific.Jobs.Storage;

namespace Specific.Jobs.Testing;

/// <summary>Request keys in memory for unit tests; each key has one effect, or every call fails when told to.</summary>
public sealed class InMemoryRequestLedger : IRequestLedger
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, DateTimeOffset> keys = new(StringComparer.Ordinal);

    /// <summary>When set, every call fails with this, as an unreachable database would.</summary>
    public Exception? FailWith { get; set; }

    public Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (FailWith is not null)
        {
            return Task.FromException<bool>(FailWith);
        }

        lock (gate)
        {
            return Task.FromResult(keys.TryAdd(key, at));
        }
    }
}
