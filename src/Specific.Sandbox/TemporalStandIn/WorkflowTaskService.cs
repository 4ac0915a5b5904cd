using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using TaskQueueMessage = Temporalio.Api.TaskQueue.V1.TaskQueue;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>
/// The workflow worker's side: long polls (stickiness declined: every task goes to the normal queue with the whole
/// history), completions that carry commands, failures, and the start-to-close timeout that re-schedules a task.
/// </summary>
internal sealed class WorkflowTaskService(ExecutionStore store, WorkflowCommands commands, LongPolls polls)
{
    private const string NotCurrent =
        "workflow task not found: the workflow closed, or this task already ended (timed out or answered)";

    public async Task<PollWorkflowTaskQueueResponse> PollAsync(PollWorkflowTaskQueueRequest request, ServerCallContext call)
    {
        var deadline = polls.DeadlineOf(call);
        using var stop = polls.Linked(call);
        while (true)
        {
            // A sticky queue never gets a task here, so its poll waits out its time (or the worker's shutdown) and answers empty.
            var token = await store.WorkflowTasks.TakeAsync(request.TaskQueue.Name, LongPolls.Remaining(deadline), stop.Token);
            if (token is null)
            {
                return new PollWorkflowTaskQueueResponse();
            }
            lock (store.Gate)
            {
                if (store.OpenRun(token) is { } run && run.Task is { Started: false } task && task.ScheduledEventId == token.ScheduledEventId)
                {
                    return Start(run, task, request);
                }
            }
        }
    }

    private PollWorkflowTaskQueueResponse Start(WorkflowRun run, WorkflowTaskState task, PollWorkflowTaskQueueRequest request)
    {
        var started = WorkflowRun.Event(EventType.WorkflowTaskStarted, store.Now);
        started.WorkflowTaskStartedEventAttributes = new WorkflowTaskStartedEventAttributes
        {
            ScheduledEventId = task.ScheduledEventId,
            Identity = request.Identity,
            RequestId = Guid.NewGuid().ToString(),
            HistorySizeBytes = run.History.Sum(e => (long)e.CalculateSize()),
        };
        task.StartedEventId = run.Append(started);
        task.StartedTime = store.Now;
        var scheduledEventId = task.ScheduledEventId;
        task.Timeout = store.Schedule(run.WorkflowTaskTimeout, () => OnTimeout(run, scheduledEventId));
        var response = new PollWorkflowTaskQueueResponse
        {
            TaskToken = new TaskToken(run.WorkflowId, run.RunId, task.ScheduledEventId, task.Attempt).ToByteString(),
            WorkflowExecution = run.Execution,
            WorkflowType = run.Start.WorkflowType,
            PreviousStartedEventId = run.PreviousStartedEventId,
            StartedEventId = task.StartedEventId,
            Attempt = task.Attempt,
            BacklogCountHint = store.WorkflowTasks.Backlog(run.TaskQueue),
            History = new History(),
            WorkflowExecutionTaskQueue = new TaskQueueMessage { Name = run.TaskQueue, Kind = TaskQueueKind.Normal },
            ScheduledTime = Timestamp.FromDateTimeOffset(task.ScheduledTime),
            StartedTime = Timestamp.FromDateTimeOffset(task.StartedTime.Value),
        };
        response.History.Events.AddRange(run.History.Select(e => e.Clone()));
        return response;
    }

    public RespondWorkflowTaskCompletedResponse Complete(RespondWorkflowTaskCompletedRequest request)
    {
        lock (store.Gate)
        {
            var (run, task) = Running(request.TaskToken);
            store.Cancel(task.Timeout);
            if (commands.FirstUnsupported(request.Commands) is { } unsupported)
            {
                var message = $"The Temporal stand-in does not implement the {unsupported} command; see its README for the commands it does.";
                FailTask(run, task, WorkflowTaskFailedCause.Unspecified, new Failure { Message = message }, request.Identity);
                throw StandInErrors.InvalidArgument(message);
            }
            if (run.Buffered.Count > 0 && request.Commands.Any(WorkflowCommands.ClosesWorkflow))
            {
                // As a server does: the workflow may not close while events it has not seen are waiting.
                FailTask(run, task, WorkflowTaskFailedCause.UnhandledCommand, new Failure { Message = "UnhandledCommand" }, request.Identity);
                return new RespondWorkflowTaskCompletedResponse();
            }

            var completed = WorkflowRun.Event(EventType.WorkflowTaskCompleted, store.Now);
            completed.WorkflowTaskCompletedEventAttributes = new WorkflowTaskCompletedEventAttributes
            {
                ScheduledEventId = task.ScheduledEventId,
                StartedEventId = task.StartedEventId,
                Identity = request.Identity,
                SdkMetadata = request.SdkMetadata,
                MeteringMetadata = request.MeteringMetadata,
                VersioningBehavior = request.VersioningBehavior,
            };
            var completedId = run.Append(completed);
            run.Task = null;
            run.NextWorkflowTaskAttempt = 1;
            run.PreviousStartedEventId = task.StartedEventId;

            var needsTask = request.ForceCreateNewWorkflowTask;
            foreach (var command in request.Commands)
            {
                needsTask |= commands.Apply(run, command, completedId, request.Identity);
                if (!run.IsOpen)
                {
                    return new RespondWorkflowTaskCompletedResponse();
                }
            }
            needsTask |= store.FlushBuffered(run);
            if (needsTask)
            {
                store.ScheduleWorkflowTask(run);
            }
            return new RespondWorkflowTaskCompletedResponse();
        }
    }

    public RespondWorkflowTaskFailedResponse Fail(RespondWorkflowTaskFailedRequest request)
    {
        lock (store.Gate)
        {
            var (run, task) = Running(request.TaskToken);
            store.Cancel(task.Timeout);
            FailTask(run, task, request.Cause, request.Failure, request.Identity);
            return new RespondWorkflowTaskFailedResponse();
        }
    }

    /// <summary>Sticky queues get no tasks here, so a worker shutting down only needs its sticky polls answered now.</summary>
    public ShutdownWorkerResponse ShutdownWorker(ShutdownWorkerRequest request)
    {
        if (!string.IsNullOrEmpty(request.StickyTaskQueue))
        {
            store.WorkflowTasks.Release(request.StickyTaskQueue);
        }
        return new ShutdownWorkerResponse();
    }

    private void FailTask(WorkflowRun run, WorkflowTaskState task, WorkflowTaskFailedCause cause, Failure? failure, string identity)
    {
        var failed = WorkflowRun.Event(EventType.WorkflowTaskFailed, store.Now);
        failed.WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
        {
            ScheduledEventId = task.ScheduledEventId,
            StartedEventId = task.StartedEventId,
            Cause = cause,
            Failure = failure,
            Identity = identity,
        };
        run.Append(failed);
        Retry(run);
    }

    private void OnTimeout(WorkflowRun run, long scheduledEventId)
    {
        if (!run.IsOpen || run.Task is not { Started: true } task || task.ScheduledEventId != scheduledEventId)
        {
            return;
        }
        var timedOut = WorkflowRun.Event(EventType.WorkflowTaskTimedOut, store.Now);
        timedOut.WorkflowTaskTimedOutEventAttributes = new WorkflowTaskTimedOutEventAttributes
        {
            ScheduledEventId = task.ScheduledEventId,
            StartedEventId = task.StartedEventId,
            TimeoutType = TimeoutType.StartToClose,
        };
        run.Append(timedOut);
        Retry(run);
    }

    /// <summary>A failed or timed-out task is followed by a new attempt, after the events that waited for it.</summary>
    private void Retry(WorkflowRun run)
    {
        run.Task = null;
        run.NextWorkflowTaskAttempt++;
        store.FlushBuffered(run);
        store.ScheduleWorkflowTask(run);
    }

    private (WorkflowRun Run, WorkflowTaskState Task) Running(Google.Protobuf.ByteString taskToken) =>
        TaskToken.Parse(taskToken) is { } token && store.OpenRun(token) is { } run
            && run.Task is { Started: true } task && task.ScheduledEventId == token.ScheduledEventId && task.Attempt == token.Attempt
            ? (run, task)
            : throw StandInErrors.NotFound(NotCurrent);
}
