using Temporalio.Api.Common.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>Where an activity's current attempt is: waiting for a worker, waiting out a retry backoff, or running.</summary>
internal enum ActivityPhase
{
    Queued,
    BackingOff,
    Started,
}

/// <summary>A scheduled activity of a run, across its attempts: what a server keeps in mutable state until the activity closes.</summary>
internal sealed class ActivityState(WorkflowRun run, long scheduledEventId, ActivityTaskScheduledEventAttributes scheduled, DateTimeOffset now)
{
    public WorkflowRun Run { get; } = run;

    public long ScheduledEventId { get; } = scheduledEventId;

    public ActivityTaskScheduledEventAttributes Scheduled { get; } = scheduled;

    public RetryPolicy Policy => Scheduled.RetryPolicy;

    public int Attempt { get; set; } = 1;

    public ActivityPhase Phase { get; set; } = ActivityPhase.Queued;

    public DateTimeOffset FirstScheduledTime { get; } = now;

    public DateTimeOffset CurrentAttemptScheduledTime { get; set; } = now;

    public DateTimeOffset? StartedTime { get; set; }

    public DateTimeOffset? LastHeartbeatTime { get; set; }

    public Payloads? HeartbeatDetails { get; set; }

    public Failure? LastFailure { get; set; }

    public string StartedIdentity { get; set; } = "";

    public string StartedRequestId { get; set; } = "";

    public bool CancelRequested { get; set; }

    public long CancelRequestedEventId { get; set; }

    /// <summary>Timers of the current attempt (start-to-close, schedule-to-start, backoff); cancelled when the attempt ends.</summary>
    public List<ITimer> AttemptTimers { get; } = [];

    public ITimer? HeartbeatTimer { get; set; }

    public ITimer? ScheduleToCloseTimer { get; set; }

    public TimeSpan ScheduleToClose => Scheduled.ScheduleToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero;

    public TimeSpan ScheduleToStart => Scheduled.ScheduleToStartTimeout?.ToTimeSpan() ?? TimeSpan.Zero;

    public TimeSpan StartToClose => Scheduled.StartToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero;

    public TimeSpan HeartbeatTimeout => Scheduled.HeartbeatTimeout?.ToTimeSpan() ?? TimeSpan.Zero;

    public TaskToken Token => new(Run.WorkflowId, Run.RunId, ScheduledEventId, Attempt);

    public void CancelAttemptTimers(ExecutionStore store)
    {
        foreach (var timer in AttemptTimers)
        {
            store.Cancel(timer);
        }
        AttemptTimers.Clear();
        store.Cancel(HeartbeatTimer);
        HeartbeatTimer = null;
    }

    public void CancelTimers(ExecutionStore store)
    {
        CancelAttemptTimers(store);
        store.Cancel(ScheduleToCloseTimer);
        ScheduleToCloseTimer = null;
    }
}
