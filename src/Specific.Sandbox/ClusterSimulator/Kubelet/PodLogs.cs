using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Specific.Sandbox.ClusterSimulator.Kubelet;

/// <summary>One line a container wrote, stamped when the kubelet read it.</summary>
internal sealed record LogLine(DateTime Timestamp, string Text);

/// <summary>The kubelet's log files: one append-only log per container, readable while it grows.</summary>
internal sealed class PodLogs
{
    private readonly ConcurrentDictionary<(string PodUid, string Container), ContainerLog> _logs = new();

    public ContainerLog Open(string podUid, string container) => _logs.GetOrAdd((podUid, container), _ => new ContainerLog());

    public ContainerLog? Find(string podUid, string container) => _logs.GetValueOrDefault((podUid, container));

    /// <summary>Drops the logs of pods that no longer exist (the API answers 404 for them anyway).</summary>
    public void ForgetAllExcept(IReadOnlySet<string> livePodUids)
    {
        foreach (var key in _logs.Keys.Where(k => !livePodUids.Contains(k.PodUid)))
        {
            _logs.TryRemove(key, out _);
        }
    }

    /// <summary>The kubelet's fixed-width RFC3339Nano ("2006-01-02T15:04:05.000000000Z07:00"): always nine fractional digits.</summary>
    public static string FormatTimestamp(DateTime utc) =>
        utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff", CultureInfo.InvariantCulture) + "00Z";
}

/// <summary>One container's log; readers can follow it until the container has exited.</summary>
internal sealed class ContainerLog
{
    private readonly Lock _gate = new();
    private readonly List<LogLine> _lines = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closed;

    public void Append(LogLine line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _lines.Add(line);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    /// <summary>The container exited: followers drain what is left and stop.</summary>
    public void Close()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _closed = true;
            changed = _changed;
        }
        changed.TrySetResult();
    }

    /// <summary>
    /// The log from <paramref name="since"/> and/or its last <paramref name="tailLines"/>, as runs of the lines ready at
    /// once: a reader writes a run out and flushes when it has caught up, as a kubelet streaming the log file does.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<LogLine>> ReadAsync(bool follow, int? tailLines, DateTime? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int next;
        lock (_gate)
        {
            next = 0;
            if (since is { } from)
            {
                next = _lines.FindIndex(l => l.Timestamp >= from);
                next = next < 0 ? _lines.Count : next;
            }
            if (tailLines is { } tail)
            {
                next = Math.Max(next, _lines.Count - Math.Max(tail, 0));
            }
        }

        while (true)
        {
            LogLine[] batch;
            Task changed;
            bool closed;
            lock (_gate)
            {
                batch = _lines.GetRange(next, _lines.Count - next).ToArray();
                next = _lines.Count;
                changed = _changed.Task;
                closed = _closed;
            }
            if (batch.Length > 0)
            {
                yield return batch;
            }
            if (!follow || closed)
            {
                yield break;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }
}
