using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Temporalio.Api.WorkflowService.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>The activity worker's side: long polls for activity tasks, heartbeats, and the three ways an attempt ends.</summary>
internal sealed class ActivityTaskService(ExecutionStore store, ActivityLifecycle activities, LongPolls polls)
{
    private const string NotCurrent =
        "activity task not found: the workflow closed, or this attempt already ended (timed out, retried or answered)";

    public async Task<PollActivityTaskQueueResponse> PollAsync(PollActivityTaskQueueRequest request, ServerCallContext call)
    {
        var deadline = polls.DeadlineOf(call);
        using var stop = polls.Linked(call);
        while (true)
        {
            var token = await store.ActivityTasks.TakeAsync(request.TaskQueue.Name, LongPolls.Remaining(deadline), stop.Token);
            if (token is null)
            {
                return new PollActivityTaskQueueResponse();
            }
            lock (store.Gate)
            {
                if (activities.Current(token, ActivityPhase.Queued) is { } activity)
                {
                    activities.Start(activity, request.Identity);
                    return TaskFor(activity, request.Namespace);
                }
            }
        }
    }

    private static PollActivityTaskQueueResponse TaskFor(ActivityState activity, string ns) => new()
    {
        TaskToken = activity.Token.ToByteString(),
        WorkflowNamespace = ns,
        WorkflowType = activity.Run.Start.WorkflowType,
        WorkflowExecution = activity.Run.Execution,
        ActivityType = activity.Scheduled.ActivityType,
        ActivityId = activity.Scheduled.ActivityId,
        Header = activity.Scheduled.Header,
        Input = activity.Scheduled.Input,
        HeartbeatDetails = activity.HeartbeatDetails,
        ScheduledTime = Timestamp.FromDateTimeOffset(activity.FirstScheduledTime),
        CurrentAttemptScheduledTime = Timestamp.FromDateTimeOffset(activity.CurrentAttemptScheduledTime),
        StartedTime = Timestamp.FromDateTimeOffset(activity.StartedTime!.Value),
        Attempt = activity.Attempt,
        ScheduleToCloseTimeout = activity.Scheduled.ScheduleToCloseTimeout,
        StartToCloseTimeout = activity.Scheduled.StartToCloseTimeout,
        HeartbeatTimeout = activity.Scheduled.HeartbeatTimeout,
        RetryPolicy = activity.Scheduled.RetryPolicy,
        Priority = activity.Scheduled.Priority,
    };

    public RecordActivityTaskHeartbeatResponse Heartbeat(RecordActivityTaskHeartbeatRequest request)
    {
        lock (store.Gate)
        {
            var activity = Running(request.TaskToken);
            activity.HeartbeatDetails = request.Details;
            activity.LastHeartbeatTime = store.Now;
            activities.ArmHeartbeat(activity);
            return new RecordActivityTaskHeartbeatResponse { CancelRequested = activity.CancelRequested };
        }
    }

    public RespondActivityTaskCompletedResponse Complete(RespondActivityTaskCompletedRequest request)
    {
        lock (store.Gate)
        {
            activities.Complete(Running(request.TaskToken), request.Result, request.Identity);
            return new RespondActivityTaskCompletedResponse();
        }
    }

    public RespondActivityTaskFailedResponse Fail(RespondActivityTaskFailedRequest request)
    {
        lock (store.Gate)
        {
            var activity = Running(request.TaskToken);
            if (request.LastHeartbeatDetails is { } details)
            {
                activity.HeartbeatDetails = details;
            }
            activities.Fail(activity, request.Failure, request.Identity);
            return new RespondActivityTaskFailedResponse();
        }
    }

    public RespondActivityTaskCanceledResponse Canceled(RespondActivityTaskCanceledRequest request)
    {
        lock (store.Gate)
        {
            activities.Canceled(Running(request.TaskToken), request.Details, request.Identity);
            return new RespondActivityTaskCanceledResponse();
        }
    }

    private ActivityState Running(Google.Protobuf.ByteString taskToken) =>
        TaskToken.Parse(taskToken) is { } token && activities.Current(token, ActivityPhase.Started) is { } activity
            ? activity
            : throw StandInErrors.NotFound(NotCurrent);
}
