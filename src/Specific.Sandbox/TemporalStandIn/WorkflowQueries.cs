using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using TaskQueueMessage = Temporalio.Api.TaskQueue.V1.TaskQueue;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>Reads of runs: DescribeWorkflowExecution, ListWorkflowExecutions (a small subset of the visibility query) and the read model.</summary>
internal sealed partial class WorkflowQueries(ExecutionStore store)
{
    public DescribeWorkflowExecutionResponse Describe(DescribeWorkflowExecutionRequest request)
    {
        lock (store.Gate)
        {
            var run = store.Resolve(request.Execution.WorkflowId, request.Execution.RunId);
            var response = new DescribeWorkflowExecutionResponse
            {
                ExecutionConfig = new WorkflowExecutionConfig
                {
                    TaskQueue = new TaskQueueMessage { Name = run.TaskQueue, Kind = TaskQueueKind.Normal },
                    WorkflowExecutionTimeout = run.Start.WorkflowExecutionTimeout,
                    WorkflowRunTimeout = run.Start.WorkflowRunTimeout,
                    DefaultWorkflowTaskTimeout = Duration.FromTimeSpan(run.WorkflowTaskTimeout),
                },
                WorkflowExecutionInfo = Info(run),
            };
            response.PendingActivities.AddRange(run.Activities.Values.OrderBy(a => a.ScheduledEventId).Select(Pending));
            if (run.Task is { } task)
            {
                response.PendingWorkflowTask = new PendingWorkflowTaskInfo
                {
                    State = task.Started ? PendingWorkflowTaskState.Started : PendingWorkflowTaskState.Scheduled,
                    ScheduledTime = Timestamp.FromDateTimeOffset(task.ScheduledTime),
                    StartedTime = task.StartedTime is { } started ? Timestamp.FromDateTimeOffset(started) : null,
                    Attempt = task.Attempt,
                };
            }
            return response;
        }
    }

    private static PendingActivityInfo Pending(ActivityState activity) => new()
    {
        ActivityId = activity.Scheduled.ActivityId,
        ActivityType = activity.Scheduled.ActivityType,
        State = activity.CancelRequested ? PendingActivityState.CancelRequested
            : activity.Phase == ActivityPhase.Started ? PendingActivityState.Started : PendingActivityState.Scheduled,
        HeartbeatDetails = activity.HeartbeatDetails,
        LastHeartbeatTime = activity.LastHeartbeatTime is { } beat ? Timestamp.FromDateTimeOffset(beat) : null,
        LastStartedTime = activity.StartedTime is { } started ? Timestamp.FromDateTimeOffset(started) : null,
        Attempt = activity.Attempt,
        MaximumAttempts = activity.Policy.MaximumAttempts,
        ScheduledTime = Timestamp.FromDateTimeOffset(activity.CurrentAttemptScheduledTime),
        ExpirationTime = activity.ScheduleToClose > TimeSpan.Zero ? Timestamp.FromDateTimeOffset(activity.FirstScheduledTime + activity.ScheduleToClose) : null,
        LastFailure = activity.LastFailure,
        LastWorkerIdentity = activity.StartedIdentity,
    };

    private static WorkflowExecutionInfo Info(WorkflowRun run) => new()
    {
        Execution = run.Execution,
        Type = run.Start.WorkflowType,
        StartTime = Timestamp.FromDateTimeOffset(run.StartTime),
        ExecutionTime = Timestamp.FromDateTimeOffset(run.StartTime),
        CloseTime = run.CloseTime is { } closed ? Timestamp.FromDateTimeOffset(closed) : null,
        ExecutionDuration = run.CloseTime is { } end ? Duration.FromTimeSpan(end - run.StartTime) : null,
        Status = run.Status,
        HistoryLength = run.History.Count,
        HistorySizeBytes = run.History.Sum(e => (long)e.CalculateSize()),
        Memo = run.Start.Memo,
        SearchAttributes = run.Start.SearchAttributes,
        TaskQueue = run.TaskQueue,
        FirstRunId = run.RunId,
    };

    /// <summary>Newest first; the query may be empty or clauses <c>Field = 'value'</c> joined by AND, on WorkflowId, WorkflowType, ExecutionStatus or TaskQueue.</summary>
    public ListWorkflowExecutionsResponse List(ListWorkflowExecutionsRequest request)
    {
        var filters = ParseQuery(request.Query);
        lock (store.Gate)
        {
            var response = new ListWorkflowExecutionsResponse();
            response.Executions.AddRange(store.Runs
                .Where(run => filters.All(f => f(run)))
                .OrderByDescending(run => run.StartTime)
                .Select(Info));
            return response;
        }
    }

    private static List<Func<WorkflowRun, bool>> ParseQuery(string query)
    {
        var filters = new List<Func<WorkflowRun, bool>>();
        if (string.IsNullOrWhiteSpace(query))
        {
            return filters;
        }
        foreach (var clause in AndSeparator().Split(query.Trim()))
        {
            var match = Clause().Match(clause.Trim());
            if (!match.Success)
            {
                throw StandInErrors.InvalidArgument(
                    $"The Temporal stand-in cannot read the query clause \"{clause.Trim()}\"; use Field = 'value' (WorkflowId, WorkflowType, ExecutionStatus, TaskQueue) joined by AND.");
            }
            var value = match.Groups["value"].Value;
            filters.Add(match.Groups["field"].Value switch
            {
                "WorkflowId" => run => run.WorkflowId == value,
                "WorkflowType" => run => run.WorkflowType == value,
                "TaskQueue" => run => run.TaskQueue == value,
                _ => run => run.Status.ToString() == value,
            });
        }
        return filters;
    }

    [GeneratedRegex(@"\s+AND\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndSeparator();

    [GeneratedRegex("""^(?<field>WorkflowId|WorkflowType|ExecutionStatus|TaskQueue)\s*=\s*(['"])(?<value>[^'"]*)\1$""")]
    private static partial Regex Clause();

    /// <summary>Every run with its history as JSON per event, as the Temporal UI lists them; newest first.</summary>
    public IReadOnlyList<StandInWorkflow> Snapshot()
    {
        lock (store.Gate)
        {
            return store.Runs.OrderByDescending(run => run.StartTime).Select(run => new StandInWorkflow(
                run.WorkflowId,
                run.RunId,
                run.WorkflowType,
                run.TaskQueue,
                run.Status.ToString(),
                run.StartTime,
                run.CloseTime,
                run.History.Select(e => new StandInHistoryEvent(e.EventId, e.EventTime.ToDateTimeOffset(), e.EventType.ToString(), JsonFormatter.Default.Format(e))).ToList()))
                .ToList();
        }
    }
}
