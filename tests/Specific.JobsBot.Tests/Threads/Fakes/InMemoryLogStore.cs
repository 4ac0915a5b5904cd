using System.Runtime.CompilerServices;
using Specific.Jobs.Logs;

namespace Specific.JobsBot.Tests.Threads.Fakes;

/// <summary>An in-memory <see cref="ILogStore"/> for unit tests of the thread keeper.</summary>
internal sealed class InMemoryLogStore(TimeProvider time) : ILogStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<LogLine>> logs = new(StringComparer.Ordinal);

    public Task AppendAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var log = Log(jobId);
            foreach (var line in lines.Where(line => line.Number == log.Count + 1))
            {
                log.Add(line);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Appends lines numbered after the last one, as the job engine would.</summary>
    public void Write(string jobId, params IEnumerable<string> texts)
    {
        lock (gate)
        {
            var log = Log(jobId);
            foreach (var text in texts)
            {
                log.Add(new LogLine(log.Count + 1, time.GetUtcNow(), LogStream.Output, text));
            }
        }
    }

    public Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IReadOnlyList<LogLine> lines = Log(jobId).Where(line => line.Number > afterNumber).Take(limit).ToList();
            return Task.FromResult(lines);
        }
    }

    public Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IReadOnlyList<LogLine> lines = Log(jobId).TakeLast(count).ToList();
            return Task.FromResult(lines);
        }
    }

    public Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult((long)Log(jobId).Count);
        }
    }

    public async IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LogLine[] lines;
        lock (gate)
        {
            lines = [.. Log(jobId)];
        }
        foreach (var line in lines)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return line;
        }
        await Task.CompletedTask;
    }

    private List<LogLine> Log(string jobId)
    {
        if (!logs.TryGetValue(jobId, out var log))
        {
            log = [];
            logs[jobId] = log;
        }
        return log;
    }
}
