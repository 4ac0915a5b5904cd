using Specific.Jobs.Storage;

namespace Specific.Jobs.Testing;

/// <summary>The audit trail in a list for unit tests, with the real stores' order and filters; or failing when told to.</summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private readonly Lock _gate = new();
    private readonly List<AuditEntry> _entries = [];
    private int _refused;

    /// <summary>When set, every append fails with this, as an unreachable database would.</summary>
    public Exception? FailWith { get; set; }

    /// <summary>How many appends were refused because <see cref="FailWith"/> was set.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Every entry, oldest first.</summary>
    public IReadOnlyList<AuditEntry> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (FailWith is { } failure)
        {
            Interlocked.Increment(ref _refused);
            return Task.FromException<AuditEntry>(failure);
        }

        lock (_gate)
        {
            var appended = entry with { Id = _entries.Count + 1 };
            _entries.Add(appended);
            return Task.FromResult(appended);
        }
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            IReadOnlyList<AuditEntry> found = _entries
                .Where(e => query.Environment is null || e.Environment == query.Environment)
                .Where(e => query.Service is null || e.Service == query.Service)
                .OrderByDescending(e => e.At)
                .ThenByDescending(e => e.Id)
                .Take(Math.Clamp(query.Limit, 1, 500))
                .ToList();
            return Task.FromResult(found);
        }
    }
}
