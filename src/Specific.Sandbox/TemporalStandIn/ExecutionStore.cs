using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using TaskQueueMessage = Temporalio.Api.TaskQueue.V1.TaskQueue;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>
/// Every run the stand-in knows, the task queues and the timers, behind one lock: the operations every part shares
/// (find a run, record an event the workflow must see, schedule its next workflow task, close it).
/// </summary>
internal sealed class ExecutionStore(TimeProvider time)
{
    private readonly Dictionary<string, WorkflowRun> _runs = [];
    private readonly Dictionary<string, List<WorkflowRun>> _runsByWorkflowId = [];
    private readonly HashSet<ITimer> _timers = [];

    /// <summary>Held for every read or change of a run; timers and RPCs take it, nothing awaits under it.</summary>
    public Lock Gate { get; } = new();

    public TimeProvider Time { get; } = time;

    public TaskQueues<TaskToken> WorkflowTasks { get; } = new();

    public TaskQueues<TaskToken> ActivityTasks { get; } = new();

    /// <summary>Cancelled when the stand-in stops, so that every long poll answers at once.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    public DateTimeOffset Now => Time.GetUtcNow();

    public Timestamp NowStamp => Timestamp.FromDateTimeOffset(Now);

    public IEnumerable<WorkflowRun> Runs => _runs.Values;

    public void Add(WorkflowRun run)
    {
        _runs[run.RunId] = run;
        (_runsByWorkflowId.TryGetValue(run.WorkflowId, out var runs) ? runs : _runsByWorkflowId[run.WorkflowId] = []).Add(run);
    }

    public WorkflowRun? Latest(string workflowId) => _runsByWorkflowId.TryGetValue(workflowId, out var runs) ? runs[^1] : null;

    /// <summary>The run asked for (the latest of the id when no run id is given), or NOT_FOUND as a server says it.</summary>
    public WorkflowRun Resolve(string workflowId, string? runId)
    {
        var run = string.IsNullOrEmpty(runId) ? Latest(workflowId) : _runs.GetValueOrDefault(runId);
        return run is not null && run.WorkflowId == workflowId
            ? run
            : throw StandInErrors.NotFound($"workflow not found for ID: {workflowId}{(string.IsNullOrEmpty(runId) ? "" : $", run ID: {runId}")}");
    }

    /// <summary>The open run a task token names, or null when it closed or never was.</summary>
    public WorkflowRun? OpenRun(TaskToken token) =>
        _runs.TryGetValue(token.RunId, out var run) && run.IsOpen && run.WorkflowId == token.WorkflowId ? run : null;

    /// <summary>Records events the workflow must see: written now and a workflow task scheduled, or buffered while one runs.</summary>
    public void RecordForWorkflow(WorkflowRun run, Action append)
    {
        if (!run.IsOpen)
        {
            return;
        }
        if (run.Task is { Started: true })
        {
            run.Buffered.Add(append);
            return;
        }
        append();
        ScheduleWorkflowTask(run);
    }

    /// <summary>Writes the events buffered during a workflow task; true when there were any (so the workflow needs a new task).</summary>
    public bool FlushBuffered(WorkflowRun run)
    {
        if (run.Buffered.Count == 0)
        {
            return false;
        }
        var buffered = run.Buffered.ToList();
        run.Buffered.Clear();
        foreach (var append in buffered)
        {
            append();
        }
        return true;
    }

    public void ScheduleWorkflowTask(WorkflowRun run)
    {
        if (!run.IsOpen || run.Task is not null)
        {
            return;
        }
        var scheduled = WorkflowRun.Event(EventType.WorkflowTaskScheduled, Now);
        scheduled.WorkflowTaskScheduledEventAttributes = new WorkflowTaskScheduledEventAttributes
        {
            TaskQueue = new TaskQueueMessage { Name = run.TaskQueue, Kind = TaskQueueKind.Normal },
            StartToCloseTimeout = Duration.FromTimeSpan(run.WorkflowTaskTimeout),
            Attempt = run.NextWorkflowTaskAttempt,
        };
        var id = run.Append(scheduled);
        run.Task = new WorkflowTaskState(id, run.NextWorkflowTaskAttempt, Now);
        WorkflowTasks.Add(run.TaskQueue, new TaskToken(run.WorkflowId, run.RunId, id, run.NextWorkflowTaskAttempt));
    }

    /// <summary>Ends a run: no more tasks, timers or activities; its close event is already written.</summary>
    public void Close(WorkflowRun run, WorkflowExecutionStatus status)
    {
        run.Status = status;
        run.CloseTime = Now;
        Cancel(run.Task?.Timeout);
        run.Task = null;
        run.Buffered.Clear();
        foreach (var activity in run.Activities.Values)
        {
            activity.CancelTimers(this);
        }
        run.Activities.Clear();
        foreach (var timer in run.Timers.Values)
        {
            Cancel(timer.Timer);
        }
        run.Timers.Clear();
    }

    /// <summary>Runs <paramref name="onFire"/> under the lock after <paramref name="due"/> on the stand-in's clock.</summary>
    public ITimer Schedule(TimeSpan due, Action onFire)
    {
        ITimer? timer = null;
        lock (Gate)
        {
            timer = Time.CreateTimer(_ =>
            {
                lock (Gate)
                {
                    // Disposed (cancelled) timers are out of the set; a callback already queued then does nothing.
                    if (timer is not null && _timers.Remove(timer))
                    {
                        onFire();
                    }
                }
            }, null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
        }
        return timer;
    }

    public void Cancel(ITimer? timer)
    {
        if (timer is not null && _timers.Remove(timer))
        {
            timer.Dispose();
        }
    }

    public void CancelAllTimers()
    {
        lock (Gate)
        {
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }
            _timers.Clear();
        }
    }
}
