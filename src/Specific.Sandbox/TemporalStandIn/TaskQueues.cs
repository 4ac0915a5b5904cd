namespace Specific.Sandbox.TemporalStandIn;

/// <summary>One kind of task queue (workflow or activity): tasks wait for pollers, pollers wait for tasks, matched in order.</summary>
internal sealed class TaskQueues<T>
    where T : class
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<T>> _tasks = [];
    private readonly Dictionary<string, LinkedList<TaskCompletionSource<T?>>> _pollers = [];

    /// <summary>Hands the task to the longest-waiting poller of that queue, or keeps it until one comes.</summary>
    public void Add(string queue, T task)
    {
        lock (_gate)
        {
            if (_pollers.TryGetValue(queue, out var waiting))
            {
                while (waiting.First is { } poller)
                {
                    waiting.RemoveFirst();
                    if (poller.Value.TrySetResult(task))
                    {
                        return;
                    }
                }
            }
            (_tasks.TryGetValue(queue, out var tasks) ? tasks : _tasks[queue] = new Queue<T>()).Enqueue(task);
        }
    }

    /// <summary>Number of tasks waiting for a poller on that queue (the backlog hint a poll response carries).</summary>
    public int Backlog(string queue)
    {
        lock (_gate)
        {
            return _tasks.TryGetValue(queue, out var tasks) ? tasks.Count : 0;
        }
    }

    /// <summary>Answers every poll waiting on that queue with no task (a worker shutting down stops polling it).</summary>
    public void Release(string queue)
    {
        lock (_gate)
        {
            if (_pollers.Remove(queue, out var waiting))
            {
                foreach (var poller in waiting)
                {
                    poller.TrySetResult(null);
                }
            }
        }
    }

    /// <summary>Waits up to <paramref name="wait"/> for a task; null when none came (the poller then gets an empty answer).</summary>
    public async Task<T?> TakeAsync(string queue, TimeSpan wait, CancellationToken cancellationToken)
    {
        TaskCompletionSource<T?> poller;
        LinkedListNode<TaskCompletionSource<T?>> node;
        lock (_gate)
        {
            if (_tasks.TryGetValue(queue, out var tasks) && tasks.TryDequeue(out var ready))
            {
                return ready;
            }
            poller = new TaskCompletionSource<T?>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = (_pollers.TryGetValue(queue, out var waiting) ? waiting : _pollers[queue] = new()).AddLast(poller);
        }

        try
        {
            return await poller.Task.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                if (poller.TrySetResult(null))
                {
                    node.List?.Remove(node);
                }
            }
            // A task handed over just as the poll ended goes back to the queue rather than to a caller that left.
            var late = await poller.Task;
            if (late is not null)
            {
                Add(queue, late);
            }
            return null;
        }
    }
}
