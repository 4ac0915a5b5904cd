using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>Turns the commands of a completed workflow task into history events, timers and activities.</summary>
internal sealed class WorkflowCommands(ExecutionStore store, ActivityLifecycle activities)
{
    private static readonly HashSet<CommandType> Supported =
    [
        CommandType.ScheduleActivityTask,
        CommandType.RequestCancelActivityTask,
        CommandType.StartTimer,
        CommandType.CancelTimer,
        CommandType.RecordMarker,
        CommandType.UpsertWorkflowSearchAttributes,
        CommandType.ModifyWorkflowProperties,
        CommandType.CompleteWorkflowExecution,
        CommandType.FailWorkflowExecution,
        CommandType.CancelWorkflowExecution,
    ];

    public static bool ClosesWorkflow(Command command) => command.CommandType
        is CommandType.CompleteWorkflowExecution or CommandType.FailWorkflowExecution or CommandType.CancelWorkflowExecution;

    public CommandType? FirstUnsupported(IEnumerable<Command> commands) =>
        commands.Select(c => c.CommandType).Where(type => !Supported.Contains(type)).Cast<CommandType?>().FirstOrDefault();

    /// <summary>Applies one command; true when it produced an event the workflow must see in a new task.</summary>
    public bool Apply(WorkflowRun run, Command command, long completedId, string identity)
    {
        switch (command.CommandType)
        {
            case CommandType.ScheduleActivityTask:
                activities.Schedule(run, command.ScheduleActivityTaskCommandAttributes, completedId);
                return false;
            case CommandType.RequestCancelActivityTask:
                return activities.RequestCancel(run, command.RequestCancelActivityTaskCommandAttributes.ScheduledEventId, completedId);
            case CommandType.StartTimer:
                StartTimer(run, command.StartTimerCommandAttributes, completedId);
                return false;
            case CommandType.CancelTimer:
                return CancelTimer(run, command.CancelTimerCommandAttributes.TimerId, completedId, identity);
            case CommandType.RecordMarker:
                var marker = command.RecordMarkerCommandAttributes;
                Append(run, EventType.MarkerRecorded, e => e.MarkerRecordedEventAttributes = new()
                {
                    MarkerName = marker.MarkerName,
                    Details = { marker.Details },
                    Header = marker.Header,
                    Failure = marker.Failure,
                    WorkflowTaskCompletedEventId = completedId,
                });
                return false;
            case CommandType.UpsertWorkflowSearchAttributes:
                Append(run, EventType.UpsertWorkflowSearchAttributes, e => e.UpsertWorkflowSearchAttributesEventAttributes = new()
                {
                    SearchAttributes = command.UpsertWorkflowSearchAttributesCommandAttributes.SearchAttributes,
                    WorkflowTaskCompletedEventId = completedId,
                });
                return false;
            case CommandType.ModifyWorkflowProperties:
                Append(run, EventType.WorkflowPropertiesModified, e => e.WorkflowPropertiesModifiedEventAttributes = new()
                {
                    UpsertedMemo = command.ModifyWorkflowPropertiesCommandAttributes.UpsertedMemo,
                    WorkflowTaskCompletedEventId = completedId,
                });
                return false;
            case CommandType.CompleteWorkflowExecution:
                Append(run, EventType.WorkflowExecutionCompleted, e => e.WorkflowExecutionCompletedEventAttributes = new()
                {
                    Result = command.CompleteWorkflowExecutionCommandAttributes.Result,
                    WorkflowTaskCompletedEventId = completedId,
                });
                store.Close(run, WorkflowExecutionStatus.Completed);
                return false;
            case CommandType.FailWorkflowExecution:
                Append(run, EventType.WorkflowExecutionFailed, e => e.WorkflowExecutionFailedEventAttributes = new()
                {
                    Failure = command.FailWorkflowExecutionCommandAttributes.Failure,
                    RetryState = RetryState.RetryPolicyNotSet,
                    WorkflowTaskCompletedEventId = completedId,
                });
                store.Close(run, WorkflowExecutionStatus.Failed);
                return false;
            case CommandType.CancelWorkflowExecution:
                Append(run, EventType.WorkflowExecutionCanceled, e => e.WorkflowExecutionCanceledEventAttributes = new()
                {
                    Details = command.CancelWorkflowExecutionCommandAttributes.Details,
                    WorkflowTaskCompletedEventId = completedId,
                });
                store.Close(run, WorkflowExecutionStatus.Canceled);
                return false;
            default:
                throw new InvalidOperationException($"{command.CommandType} should have been refused before any command was applied.");
        }
    }

    private void StartTimer(WorkflowRun run, StartTimerCommandAttributes timer, long completedId)
    {
        var startedId = Append(run, EventType.TimerStarted, e => e.TimerStartedEventAttributes = new()
        {
            TimerId = timer.TimerId,
            StartToFireTimeout = timer.StartToFireTimeout,
            WorkflowTaskCompletedEventId = completedId,
        });
        var fire = store.Schedule(timer.StartToFireTimeout.ToTimeSpan(), () =>
        {
            if (run.Timers.Remove(timer.TimerId))
            {
                store.RecordForWorkflow(run, () => Append(run, EventType.TimerFired, e => e.TimerFiredEventAttributes = new()
                {
                    TimerId = timer.TimerId,
                    StartedEventId = startedId,
                }));
            }
        });
        run.Timers[timer.TimerId] = new WorkflowTimer(startedId, fire);
    }

    private bool CancelTimer(WorkflowRun run, string timerId, long completedId, string identity)
    {
        if (!run.Timers.Remove(timerId, out var timer))
        {
            // Fired already: its TimerFired is buffered for the workflow's next task.
            return false;
        }
        store.Cancel(timer.Timer);
        Append(run, EventType.TimerCanceled, e => e.TimerCanceledEventAttributes = new()
        {
            TimerId = timerId,
            StartedEventId = timer.StartedEventId,
            WorkflowTaskCompletedEventId = completedId,
            Identity = identity,
        });
        return false;
    }

    private long Append(WorkflowRun run, EventType type, Action<HistoryEvent> attributes)
    {
        var historyEvent = WorkflowRun.Event(type, store.Now);
        attributes(historyEvent);
        return run.Append(historyEvent);
    }
}
