using System.Runtime.CompilerServices;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;

namespace Specific.Jobs.Testing;

/// <summary>A log store in memory for unit tests, idempotent by (job, line number) like the real ones.</summary>
public sealed class InMemoryLogStore(TimeProvider? time = null) : ILogStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<long, LogLine>> _logs = new(StringComparer.Ordinal);
    private int _appendCalls;

    /// <summary>How many batches were appended through <see cref="AppendAsync"/>.</summary>
    public int AppendCalls
    {
        get
        {
            lock (_gate)
            {
                return _appendCalls;
            }
        }
    }

    public Task AppendAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        _ = LogBatch.HasLinesToStore(lines);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _appendCalls++;
            var log = Log(jobId);
            foreach (var line in lines)
            {
                log.TryAdd(line.Number, line);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Appends lines numbered after the last one, as the job engine would.</summary>
    public void Write(string jobId, params IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        lock (_gate)
        {
            var log = Log(jobId);
            foreach (var text in texts)
            {
                var number = log.Count == 0 ? 1 : log.Keys.Last() + 1;
                log.Add(number, new LogLine(number, _time.GetUtcNow(), LogStream.Output, text));
            }
        }
    }

    public Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<LogLine> found = Log(jobId).Values.Where(line => line.Number > afterNumber).Take(limit).ToList();
            return Task.FromResult(found);
        }
    }

    public Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<LogLine> found = Log(jobId).Values.TakeLast(count).ToList();
            return Task.FromResult(found);
        }
    }

    public Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Log(jobId).Keys.LastOrDefault());
        }
    }

    public async IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Page by page from the last line read, as the real stores do: a line appended meanwhile is still reached.
        await foreach (var line in LogPages.ReadAllAsync(ReadPageAsync, 1_000, cancellationToken))
        {
            await Task.Yield();
            yield return line;
        }

        Task<IReadOnlyList<LogLine>> ReadPageAsync(long after, int limit, CancellationToken token)
        {
            token.ThrowIfCancellationRequested();
            lock (_gate)
            {
                return Task.FromResult<IReadOnlyList<LogLine>>([.. Log(jobId).Values.SkipWhile(line => line.Number <= after).Take(limit)]);
            }
        }
    }

    public Task<LogSearchResult> SearchAsync(string jobId, string text, int limit, CancellationToken cancellationToken)
    {
        LogSearchResult.ThrowIfInvalid(text, limit);
        lock (_gate)
        {
            var matching = Log(jobId).Values.Where(line => line.Text.Contains(text, StringComparison.OrdinalIgnoreCase));
            IReadOnlyList<LogLine> first = matching.Take(limit).ToList();
            return Task.FromResult(new LogSearchResult(first, matching.Take(LogSearchResult.CountLimit + 1).LongCount()));
        }
    }

    /// <summary>The text of every stored line of a job, in order.</summary>
    public IReadOnlyList<string> TextOf(string jobId)
    {
        lock (_gate)
        {
            return Log(jobId).Values.Select(line => line.Text).ToList();
        }
    }

    private SortedDictionary<long, LogLine> Log(string jobId)
    {
        if (!_logs.TryGetValue(jobId, out var log))
        {
            log = [];
            _logs[jobId] = log;
        }

        return log;
    }
}
