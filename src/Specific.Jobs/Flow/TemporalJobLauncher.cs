using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Specific.Jobs.Flow;

/// <summary>
/// The production launcher: one <c>RunJob</c> workflow per job, its id derived from the job id, so a second start
/// of the same job is refused by Temporal itself.
/// </summary>
public sealed partial class TemporalJobLauncher(
    ITemporalClient client,
    IOptions<TemporalOptions> temporal,
    IJobStore jobs,
    TimeProvider time,
    ILogger<TemporalJobLauncher> logger) : IJobLauncher
{
    /// <summary>Starts the job's workflow, then records the job queued (the workflow has been started).</summary>
    public async Task StartAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await StartWorkflowAsync(RunJobInput.For(job), cancellationToken);

        // Also after "already started": the first starter may have died before recording queued.
        await jobs.TryTransitionAsync(
            job.Id, JobState.Pending, new JobTransition(JobState.Queued, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// Starts a workflow for a queued or running job whose workflow the server no longer has (the sandbox's stand-in
    /// keeps workflows in memory); the flow re-attaches to the Kubernetes Job and never creates a second one.
    /// </summary>
    public Task ResumeAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return StartWorkflowAsync(RunJobInput.For(job, resuming: true), cancellationToken);
    }

    private async Task StartWorkflowAsync(RunJobInput input, CancellationToken cancellationToken)
    {
        var options = new WorkflowOptions(JobIds.WorkflowId(input.JobId), temporal.Value.TaskQueue)
        {
            IdConflictPolicy = WorkflowIdConflictPolicy.Fail,
            // Even after the first flow has closed, the job must never get a second one.
            IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate,
            Rpc = new RpcOptions { CancellationToken = cancellationToken },
        };
        try
        {
            await client.StartWorkflowAsync(JobTemporal.WorkflowType, [input], options);
        }
        catch (WorkflowAlreadyStartedException)
        {
            // A retried start (a Slack retry, a double click): the first flow is the flow.
            LogAlreadyStarted(input.JobId);
        }
    }

    /// <summary>Requests Temporal cancellation of the job's workflow; a job with no workflow is recorded cancelled.</summary>
    public async Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            await Handle(jobId).CancelAsync(new WorkflowCancelOptions { Rpc = new RpcOptions { CancellationToken = cancellationToken } });
        }
        catch (RpcException notFound) when (notFound.Code == RpcException.StatusCode.NotFound)
        {
            // Recorded but never started (the start failed): nothing runs, so cancelling is only bookkeeping.
            var cancelled = await jobs.TryTransitionAsync(
                jobId, JobState.Pending, new JobTransition(JobState.Cancelled, time.GetUtcNow()), cancellationToken);
            LogCancelledWithoutWorkflow(jobId, cancelled.Applied);
        }
    }

    /// <summary>The workflow's status as Temporal reports it, or unknown when there is none.</summary>
    public async Task<FlowDescription> DescribeAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            var description = await Handle(jobId).DescribeAsync(
                new WorkflowDescribeOptions { Rpc = new RpcOptions { CancellationToken = cancellationToken } });
            return new FlowDescription(jobId, StatusOf(description.Status), description.RunId);
        }
        catch (RpcException notFound) when (notFound.Code == RpcException.StatusCode.NotFound)
        {
            return new FlowDescription(jobId, FlowStatus.Unknown);
        }
    }

    private WorkflowHandle Handle(string jobId) => client.GetWorkflowHandle(JobIds.WorkflowId(jobId));

    private static string StatusOf(WorkflowExecutionStatus status) => status switch
    {
        WorkflowExecutionStatus.Running => FlowStatus.Running,
        WorkflowExecutionStatus.Completed => FlowStatus.Completed,
        WorkflowExecutionStatus.Failed => FlowStatus.Failed,
        WorkflowExecutionStatus.Canceled => FlowStatus.Cancelled,
        WorkflowExecutionStatus.Terminated => FlowStatus.Terminated,
        WorkflowExecutionStatus.TimedOut => FlowStatus.TimedOut,
        _ => FlowStatus.Unknown,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "The flow of job {JobId} was already started; not starting another")]
    private partial void LogAlreadyStarted(string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} had no workflow; recorded cancelled: {Applied}")]
    private partial void LogCancelledWithoutWorkflow(string jobId, bool applied);
}
