using System.Runtime.CompilerServices;
using Specific.Jobs.Logs;

namespace Specific.Jobs.Tests.Flow.Fakes;

/// <summary>A log store in memory, idempotent by (job, line number) like the real ones, for unit tests.</summary>
public sealed class InMemoryLogStore : ILogStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, SortedDictionary<long, LogLine>> lines = new(StringComparer.Ordinal);

    public int AppendCalls { get; private set; }

    public Task AppendAsync(string jobId, IReadOnlyList<LogLine> batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            AppendCalls++;
            var stored = Of(jobId);
            foreach (var line in batch)
            {
                stored.TryAdd(line.Number, line);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IReadOnlyList<LogLine> found = Of(jobId).Values.Where(line => line.Number > afterNumber).Take(limit).ToList();
            return Task.FromResult(found);
        }
    }

    public Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IReadOnlyList<LogLine> found = Of(jobId).Values.TakeLast(count).ToList();
            return Task.FromResult(found);
        }
    }

    public Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(Of(jobId).Keys.LastOrDefault());
        }
    }

    public async IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var line in await ReadAfterAsync(jobId, 0, int.MaxValue, cancellationToken))
        {
            yield return line;
        }
    }

    public IReadOnlyList<string> TextOf(string jobId)
    {
        lock (gate)
        {
            return Of(jobId).Values.Select(line => line.Text).ToList();
        }
    }

    private SortedDictionary<long, LogLine> Of(string jobId)
    {
        if (!lines.TryGetValue(jobId, out var stored))
        {
            stored = [];
            lines[jobId] = stored;
        }

        return stored;
    }
}
