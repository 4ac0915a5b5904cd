using Google.Protobuf;
using Grpc.Core;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>The client's side of workflows: start (with id reuse and conflict policies), cancel, terminate and history long polls.</summary>
internal sealed class WorkflowExecutions(ExecutionStore store, LongPolls polls)
{
    public StartWorkflowExecutionResponse Start(StartWorkflowExecutionRequest request)
    {
        Require(request.WorkflowId, "WorkflowId");
        Require(request.WorkflowType?.Name, "WorkflowType");
        Require(request.TaskQueue?.Name, "TaskQueue");
        if (!string.IsNullOrEmpty(request.CronSchedule) || request.WorkflowStartDelay?.ToTimeSpan() > TimeSpan.Zero)
        {
            throw StandInErrors.InvalidArgument("The Temporal stand-in does not run cron schedules or delayed starts; start the workflow without them.");
        }
        lock (store.Gate)
        {
            if (store.Latest(request.WorkflowId) is { } latest)
            {
                if (latest.Start.RequestId == request.RequestId && !string.IsNullOrEmpty(request.RequestId))
                {
                    // A retried start (same request id) gets the run the first one started, as on a server.
                    return new StartWorkflowExecutionResponse { RunId = latest.RunId, Started = true, Status = latest.Status };
                }
                if (latest.IsOpen)
                {
                    if (request.WorkflowIdConflictPolicy == WorkflowIdConflictPolicy.UseExisting)
                    {
                        return new StartWorkflowExecutionResponse { RunId = latest.RunId, Started = false, Status = latest.Status };
                    }
                    if (request.WorkflowIdConflictPolicy != WorkflowIdConflictPolicy.TerminateExisting)
                    {
                        throw StandInErrors.AlreadyStarted(request.WorkflowId, latest.RunId, latest.Start.RequestId);
                    }
                    Terminate(latest, "terminated by a new start of the same workflow id", request.Identity);
                }
                else if (request.WorkflowIdReusePolicy == WorkflowIdReusePolicy.RejectDuplicate
                    || (request.WorkflowIdReusePolicy == WorkflowIdReusePolicy.AllowDuplicateFailedOnly && latest.Status == WorkflowExecutionStatus.Completed))
                {
                    throw StandInErrors.AlreadyStarted(request.WorkflowId, latest.RunId, latest.Start.RequestId);
                }
            }

            var run = new WorkflowRun(request.Clone(), Guid.NewGuid().ToString(), store.Now);
            store.Add(run);
            var started = WorkflowRun.Event(EventType.WorkflowExecutionStarted, store.Now);
            started.WorkflowExecutionStartedEventAttributes = new WorkflowExecutionStartedEventAttributes
            {
                WorkflowType = request.WorkflowType,
                TaskQueue = new() { Name = run.TaskQueue, Kind = TaskQueueKind.Normal },
                Input = request.Input,
                WorkflowExecutionTimeout = request.WorkflowExecutionTimeout,
                WorkflowRunTimeout = request.WorkflowRunTimeout,
                WorkflowTaskTimeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(run.WorkflowTaskTimeout),
                OriginalExecutionRunId = run.RunId,
                FirstExecutionRunId = run.RunId,
                Identity = request.Identity,
                Attempt = 1,
                Header = request.Header,
                Memo = request.Memo,
                SearchAttributes = request.SearchAttributes,
                RetryPolicy = request.RetryPolicy,
                Priority = request.Priority,
            };
            run.Append(started);
            store.ScheduleWorkflowTask(run);
            return new StartWorkflowExecutionResponse { RunId = run.RunId, Started = true, Status = WorkflowExecutionStatus.Running };
        }
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw StandInErrors.InvalidArgument($"{field} is not set on the request; a workflow start needs it.");
        }
    }

    public RequestCancelWorkflowExecutionResponse RequestCancel(RequestCancelWorkflowExecutionRequest request)
    {
        lock (store.Gate)
        {
            var run = OpenRun(request.WorkflowExecution.WorkflowId, request.WorkflowExecution.RunId);
            if (!run.CancelRequested)
            {
                run.CancelRequested = true;
                store.RecordForWorkflow(run, () =>
                {
                    var requested = WorkflowRun.Event(EventType.WorkflowExecutionCancelRequested, store.Now);
                    requested.WorkflowExecutionCancelRequestedEventAttributes = new() { Cause = request.Reason, Identity = request.Identity };
                    run.Append(requested);
                });
            }
            return new RequestCancelWorkflowExecutionResponse();
        }
    }

    public TerminateWorkflowExecutionResponse Terminate(TerminateWorkflowExecutionRequest request)
    {
        lock (store.Gate)
        {
            var run = OpenRun(request.WorkflowExecution.WorkflowId, request.WorkflowExecution.RunId);
            Terminate(run, request.Reason, request.Identity, request.Details);
            return new TerminateWorkflowExecutionResponse();
        }
    }

    private void Terminate(WorkflowRun run, string reason, string identity, Temporalio.Api.Common.V1.Payloads? details = null)
    {
        var terminated = WorkflowRun.Event(EventType.WorkflowExecutionTerminated, store.Now);
        terminated.WorkflowExecutionTerminatedEventAttributes = new() { Reason = reason, Identity = identity, Details = details };
        run.Append(terminated);
        store.Close(run, WorkflowExecutionStatus.Terminated);
    }

    private WorkflowRun OpenRun(string workflowId, string runId)
    {
        var run = store.Resolve(workflowId, runId);
        return run.IsOpen ? run : throw StandInErrors.NotFound("workflow execution already completed");
    }

    /// <summary>
    /// A page of history from the page token's event on; with wait_new_event, held until there is one (or, for the close-event
    /// filter, until the run closes), answering empty with the same token just before the caller's deadline.
    /// </summary>
    public async Task<GetWorkflowExecutionHistoryResponse> GetHistoryAsync(GetWorkflowExecutionHistoryRequest request, ServerCallContext call)
    {
        var deadline = polls.DeadlineOf(call);
        var closeOnly = request.HistoryEventFilterType == HistoryEventFilterType.CloseEvent;
        var from = request.NextPageToken.IsEmpty ? 1 : long.Parse(request.NextPageToken.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture);
        using var stop = polls.Linked(call);
        while (true)
        {
            Task changed;
            lock (store.Gate)
            {
                var run = store.Resolve(request.Execution.WorkflowId, request.Execution.RunId);
                var response = new GetWorkflowExecutionHistoryResponse { History = new History() };
                if (closeOnly && !run.IsOpen)
                {
                    response.History.Events.Add(run.History[^1].Clone());
                    return response;
                }
                if (!closeOnly && run.LastEventId >= from)
                {
                    var pageSize = request.MaximumPageSize > 0 ? request.MaximumPageSize : int.MaxValue;
                    var events = run.History.Skip((int)from - 1).Take(pageSize).ToList();
                    response.History.Events.AddRange(events.Select(e => e.Clone()));
                    var next = events[^1].EventId + 1;
                    var more = next <= run.LastEventId || (request.WaitNewEvent && run.IsOpen);
                    response.NextPageToken = more ? Token(next) : ByteString.Empty;
                    return response;
                }
                if (!request.WaitNewEvent || (!closeOnly && !run.IsOpen))
                {
                    return response;
                }
                changed = run.Changed;
            }
            try
            {
                await changed.WaitAsync(LongPolls.Remaining(deadline), stop.Token);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                // Nothing new in time: an empty page with a token tells the client to ask again.
                return new GetWorkflowExecutionHistoryResponse { History = new History(), NextPageToken = Token(from) };
            }
        }
    }

    private static ByteString Token(long nextEventId) => ByteString.CopyFromUtf8(nextEventId.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
