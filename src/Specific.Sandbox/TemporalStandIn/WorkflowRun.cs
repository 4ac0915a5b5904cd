using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>One run of a workflow: its history and the mutable state a server keeps beside it (pending tasks, activities, timers).</summary>
internal sealed class WorkflowRun(StartWorkflowExecutionRequest start, string runId, DateTimeOffset startTime)
{
    /// <summary>A workflow task's start-to-close when the start request gave none, as the server's default.</summary>
    private static readonly TimeSpan DefaultWorkflowTaskTimeout = TimeSpan.FromSeconds(10);

    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StartWorkflowExecutionRequest Start { get; } = start;

    public string RunId { get; } = runId;

    public string WorkflowId => Start.WorkflowId;

    public string WorkflowType => Start.WorkflowType.Name;

    public string TaskQueue => Start.TaskQueue.Name;

    public WorkflowExecution Execution => new() { WorkflowId = WorkflowId, RunId = RunId };

    public DateTimeOffset StartTime { get; } = startTime;

    public DateTimeOffset? CloseTime { get; set; }

    public WorkflowExecutionStatus Status { get; set; } = WorkflowExecutionStatus.Running;

    public bool IsOpen => Status == WorkflowExecutionStatus.Running;

    public List<HistoryEvent> History { get; } = [];

    /// <summary>The workflow task scheduled or running now, if any; at most one at a time, as on a server.</summary>
    public WorkflowTaskState? Task { get; set; }

    /// <summary>The attempt the next workflow task gets: 1 after a completed task, one more after each failure or timeout.</summary>
    public int NextWorkflowTaskAttempt { get; set; } = 1;

    /// <summary>The started event of the last completed workflow task (what the worker has already seen).</summary>
    public long PreviousStartedEventId { get; set; }

    /// <summary>Events that arrived while a workflow task ran; written after its completion, as a server buffers them.</summary>
    public List<Action> Buffered { get; } = [];

    public Dictionary<long, ActivityState> Activities { get; } = [];

    public Dictionary<string, WorkflowTimer> Timers { get; } = [];

    public bool CancelRequested { get; set; }

    public TimeSpan WorkflowTaskTimeout =>
        Start.WorkflowTaskTimeout?.ToTimeSpan() is { } timeout && timeout > TimeSpan.Zero ? timeout : DefaultWorkflowTaskTimeout;

    /// <summary>Completes when the next event is appended; history long-polls wait on it.</summary>
    public Task Changed => _changed.Task;

    public long Append(HistoryEvent historyEvent)
    {
        historyEvent.EventId = History.Count + 1;
        History.Add(historyEvent);
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
        return historyEvent.EventId;
    }

    public long LastEventId => History.Count;

    public static HistoryEvent Event(EventType type, DateTimeOffset time) => new() { EventType = type, EventTime = Timestamp.FromDateTimeOffset(time) };
}

/// <summary>A scheduled (and perhaps started) workflow task of a run.</summary>
internal sealed class WorkflowTaskState(long scheduledEventId, int attempt, DateTimeOffset scheduledTime)
{
    public long ScheduledEventId { get; } = scheduledEventId;

    public int Attempt { get; } = attempt;

    public DateTimeOffset ScheduledTime { get; } = scheduledTime;

    public long StartedEventId { get; set; }

    public DateTimeOffset? StartedTime { get; set; }

    public bool Started => StartedEventId > 0;

    public ITimer? Timeout { get; set; }
}

/// <summary>A workflow timer started by a StartTimer command.</summary>
internal sealed record WorkflowTimer(long StartedEventId, ITimer Timer);
