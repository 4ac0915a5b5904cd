using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>
/// An activity from ScheduleActivityTask to its close event: attempts, the retry policy's backoff, the four timeouts,
/// and cancellation. Callers hold the store's lock.
/// </summary>
internal sealed class ActivityLifecycle(ExecutionStore store)
{
    /// <summary>The server's retry defaults for what the command left unset.</summary>
    private static readonly TimeSpan DefaultInitialInterval = TimeSpan.FromSeconds(1);

    private const double DefaultBackoffCoefficient = 2.0;
    private const int DefaultMaximumIntervalFactor = 100;

    public void Schedule(WorkflowRun run, ScheduleActivityTaskCommandAttributes command, long workflowTaskCompletedEventId)
    {
        var attributes = new ActivityTaskScheduledEventAttributes
        {
            ActivityId = command.ActivityId,
            ActivityType = command.ActivityType,
            TaskQueue = command.TaskQueue is { Name.Length: > 0 } queue ? queue : new() { Name = run.TaskQueue, Kind = TaskQueueKind.Normal },
            Header = command.Header,
            Input = command.Input,
            ScheduleToCloseTimeout = command.ScheduleToCloseTimeout,
            ScheduleToStartTimeout = command.ScheduleToStartTimeout,
            // As a server does: start-to-close defaults to schedule-to-close when only that was given.
            StartToCloseTimeout = command.StartToCloseTimeout is { } stc && stc.ToTimeSpan() > TimeSpan.Zero ? stc : command.ScheduleToCloseTimeout,
            HeartbeatTimeout = command.HeartbeatTimeout,
            WorkflowTaskCompletedEventId = workflowTaskCompletedEventId,
            RetryPolicy = WithDefaults(command.RetryPolicy),
            Priority = command.Priority,
        };
        var scheduled = WorkflowRun.Event(EventType.ActivityTaskScheduled, store.Now);
        scheduled.ActivityTaskScheduledEventAttributes = attributes;
        var id = run.Append(scheduled);
        var activity = new ActivityState(run, id, attributes, store.Now);
        run.Activities[id] = activity;
        if (activity.ScheduleToClose > TimeSpan.Zero)
        {
            activity.ScheduleToCloseTimer = store.Schedule(activity.ScheduleToClose, () => OnTimeout(activity, TimeoutType.ScheduleToClose, activity.Attempt));
        }
        Enqueue(activity);
    }

    private static RetryPolicy WithDefaults(RetryPolicy? policy)
    {
        var result = policy?.Clone() ?? new RetryPolicy();
        if (result.InitialInterval is null || result.InitialInterval.ToTimeSpan() <= TimeSpan.Zero)
        {
            result.InitialInterval = Duration.FromTimeSpan(DefaultInitialInterval);
        }
        if (result.BackoffCoefficient < 1)
        {
            result.BackoffCoefficient = DefaultBackoffCoefficient;
        }
        if (result.MaximumInterval is null || result.MaximumInterval.ToTimeSpan() <= TimeSpan.Zero)
        {
            result.MaximumInterval = Duration.FromTimeSpan(result.InitialInterval.ToTimeSpan() * DefaultMaximumIntervalFactor);
        }
        return result;
    }

    private void Enqueue(ActivityState activity)
    {
        activity.Phase = ActivityPhase.Queued;
        activity.CurrentAttemptScheduledTime = store.Now;
        var attempt = activity.Attempt;
        if (activity.ScheduleToStart > TimeSpan.Zero)
        {
            activity.AttemptTimers.Add(store.Schedule(activity.ScheduleToStart, () => OnTimeout(activity, TimeoutType.ScheduleToStart, attempt)));
        }
        store.ActivityTasks.Add(activity.Scheduled.TaskQueue.Name, activity.Token);
    }

    /// <summary>The activity a token names if that attempt is still the current one, else null (a late or repeated answer).</summary>
    public ActivityState? Current(TaskToken token, ActivityPhase phase) =>
        store.OpenRun(token) is { } run && run.Activities.TryGetValue(token.ScheduledEventId, out var activity)
            && activity.Attempt == token.Attempt && activity.Phase == phase ? activity : null;

    public void Start(ActivityState activity, string identity)
    {
        activity.CancelAttemptTimers(store);
        activity.Phase = ActivityPhase.Started;
        activity.StartedTime = store.Now;
        activity.StartedIdentity = identity;
        activity.StartedRequestId = Guid.NewGuid().ToString();
        var attempt = activity.Attempt;
        if (activity.StartToClose > TimeSpan.Zero)
        {
            activity.AttemptTimers.Add(store.Schedule(activity.StartToClose, () => OnTimeout(activity, TimeoutType.StartToClose, attempt)));
        }
        ArmHeartbeat(activity);
    }

    /// <summary>(Re)starts the heartbeat timeout: a running attempt must heartbeat within it, counted from its start or last heartbeat.</summary>
    public void ArmHeartbeat(ActivityState activity)
    {
        store.Cancel(activity.HeartbeatTimer);
        activity.HeartbeatTimer = null;
        if (activity.HeartbeatTimeout > TimeSpan.Zero)
        {
            var attempt = activity.Attempt;
            activity.HeartbeatTimer = store.Schedule(activity.HeartbeatTimeout, () => OnTimeout(activity, TimeoutType.Heartbeat, attempt));
        }
    }

    public void Complete(ActivityState activity, Payloads? result, string identity)
    {
        Close(activity, started => Event(EventType.ActivityTaskCompleted, e => e.ActivityTaskCompletedEventAttributes = new()
        {
            Result = result,
            ScheduledEventId = activity.ScheduledEventId,
            StartedEventId = started,
            Identity = identity,
        }));
    }

    /// <summary>A failed attempt: retried after the policy's backoff, or the activity fails with the reason retries stopped.</summary>
    public void Fail(ActivityState activity, Failure failure, string identity)
    {
        if (RetryDelay(activity, failure) is { } delay)
        {
            Retry(activity, failure, delay);
            return;
        }
        var retryState = StopReason(activity, failure);
        Close(activity, started => Event(EventType.ActivityTaskFailed, e => e.ActivityTaskFailedEventAttributes = new()
        {
            Failure = failure,
            ScheduledEventId = activity.ScheduledEventId,
            StartedEventId = started,
            Identity = identity,
            RetryState = retryState,
        }));
    }

    public void Canceled(ActivityState activity, Payloads? details, string identity)
    {
        Close(activity, started => Event(EventType.ActivityTaskCanceled, e => e.ActivityTaskCanceledEventAttributes = new()
        {
            Details = details,
            LatestCancelRequestedEventId = activity.CancelRequestedEventId,
            ScheduledEventId = activity.ScheduledEventId,
            StartedEventId = started,
            Identity = identity,
        }));
    }

    /// <summary>
    /// RequestCancelActivityTask: an activity not running now is canceled at once (true: the workflow must see it);
    /// a running one learns of it from its next heartbeat and answers with RespondActivityTaskCanceled.
    /// </summary>
    public bool RequestCancel(WorkflowRun run, long scheduledEventId, long workflowTaskCompletedEventId)
    {
        var requested = WorkflowRun.Event(EventType.ActivityTaskCancelRequested, store.Now);
        requested.ActivityTaskCancelRequestedEventAttributes = new()
        {
            ScheduledEventId = scheduledEventId,
            WorkflowTaskCompletedEventId = workflowTaskCompletedEventId,
        };
        var requestedId = run.Append(requested);
        if (!run.Activities.TryGetValue(scheduledEventId, out var activity))
        {
            // Already closed: its close event is buffered and reaches the workflow with the next task.
            return false;
        }
        activity.CancelRequested = true;
        activity.CancelRequestedEventId = requestedId;
        if (activity.Phase == ActivityPhase.Started)
        {
            return false;
        }
        activity.CancelTimers(store);
        run.Activities.Remove(scheduledEventId);
        var canceled = WorkflowRun.Event(EventType.ActivityTaskCanceled, store.Now);
        canceled.ActivityTaskCanceledEventAttributes = new() { LatestCancelRequestedEventId = requestedId, ScheduledEventId = scheduledEventId };
        run.Append(canceled);
        return true;
    }

    private void OnTimeout(ActivityState activity, TimeoutType type, int attempt)
    {
        if (!activity.Run.IsOpen || !activity.Run.Activities.ContainsKey(activity.ScheduledEventId) || activity.Attempt != attempt)
        {
            return;
        }
        var failure = new Failure
        {
            Message = $"activity {type} timeout",
            TimeoutFailureInfo = new TimeoutFailureInfo { TimeoutType = type, LastHeartbeatDetails = activity.HeartbeatDetails },
        };
        var retryable = type is TimeoutType.StartToClose or TimeoutType.Heartbeat;
        if (retryable && RetryDelay(activity, failure) is { } delay)
        {
            Retry(activity, failure, delay);
            return;
        }
        var retryState = retryable ? StopReason(activity, failure) : RetryState.Timeout;
        Close(activity, started => Event(EventType.ActivityTaskTimedOut, e => e.ActivityTaskTimedOutEventAttributes = new()
        {
            Failure = failure,
            ScheduledEventId = activity.ScheduledEventId,
            StartedEventId = started,
            RetryState = retryState,
        }));
    }

    /// <summary>The wait before the next attempt, or null when the policy (or a deadline, or a cancel) says no more attempts.</summary>
    private TimeSpan? RetryDelay(ActivityState activity, Failure failure)
    {
        if (StopReasonBeforeDeadline(activity, failure) is not null)
        {
            return null;
        }
        var delay = failure.ApplicationFailureInfo?.NextRetryDelay?.ToTimeSpan() is { } asked && asked > TimeSpan.Zero ? asked : Backoff(activity.Policy, activity.Attempt);
        var deadlinePassed = activity.ScheduleToClose > TimeSpan.Zero && store.Now + delay >= activity.FirstScheduledTime + activity.ScheduleToClose;
        return deadlinePassed ? null : delay;
    }

    private RetryState StopReason(ActivityState activity, Failure failure) => StopReasonBeforeDeadline(activity, failure) ?? RetryState.Timeout;

    private static RetryState? StopReasonBeforeDeadline(ActivityState activity, Failure failure)
    {
        if (activity.CancelRequested)
        {
            return RetryState.CancelRequested;
        }
        if (failure.ApplicationFailureInfo is { } application
            && (application.NonRetryable || activity.Policy.NonRetryableErrorTypes.Contains(application.Type)))
        {
            return RetryState.NonRetryableFailure;
        }
        return activity.Policy.MaximumAttempts > 0 && activity.Attempt >= activity.Policy.MaximumAttempts ? RetryState.MaximumAttemptsReached : null;
    }

    /// <summary>initial × coefficient^(attempt − 1), capped at the maximum interval.</summary>
    private static TimeSpan Backoff(RetryPolicy policy, int attempt)
    {
        var initial = policy.InitialInterval.ToTimeSpan();
        var grown = initial.TotalMilliseconds * Math.Pow(policy.BackoffCoefficient, attempt - 1);
        return TimeSpan.FromMilliseconds(Math.Min(grown, policy.MaximumInterval.ToTimeSpan().TotalMilliseconds));
    }

    private void Retry(ActivityState activity, Failure failure, TimeSpan delay)
    {
        activity.CancelAttemptTimers(store);
        activity.LastFailure = failure;
        activity.Attempt++;
        activity.Phase = ActivityPhase.BackingOff;
        activity.StartedTime = null;
        var attempt = activity.Attempt;
        activity.AttemptTimers.Add(store.Schedule(delay, () =>
        {
            if (activity.Run.IsOpen && activity.Run.Activities.ContainsKey(activity.ScheduledEventId) && activity.Attempt == attempt && activity.Phase == ActivityPhase.BackingOff)
            {
                Enqueue(activity);
            }
        }));
    }

    /// <summary>
    /// Writes the started event (kept back until now, as a server does for activities with retries) and the close event,
    /// when the workflow can see them.
    /// </summary>
    private void Close(ActivityState activity, Func<long, HistoryEvent> closeEvent)
    {
        activity.CancelTimers(store);
        activity.Run.Activities.Remove(activity.ScheduledEventId);
        var wasStarted = activity.Phase == ActivityPhase.Started;
        var attempt = activity.Attempt;
        var lastFailure = activity.LastFailure;
        store.RecordForWorkflow(activity.Run, () =>
        {
            long startedId = 0;
            if (wasStarted)
            {
                startedId = activity.Run.Append(Event(EventType.ActivityTaskStarted, e => e.ActivityTaskStartedEventAttributes = new()
                {
                    ScheduledEventId = activity.ScheduledEventId,
                    Identity = activity.StartedIdentity,
                    RequestId = activity.StartedRequestId,
                    Attempt = attempt,
                    LastFailure = lastFailure,
                }));
            }
            activity.Run.Append(closeEvent(startedId));
        });
    }

    private HistoryEvent Event(EventType type, Action<HistoryEvent> attributes)
    {
        var historyEvent = WorkflowRun.Event(type, store.Now);
        attributes(historyEvent);
        return historyEvent;
    }
}
