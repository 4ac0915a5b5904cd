using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace Specific.Jobs.Flow;

/// <summary>The Temporal workflow of one job: <see cref="JobFlow"/> with each step run as an activity.</summary>
[Workflow(JobTemporal.WorkflowType)]
public sealed class RunJobWorkflow
{
    [WorkflowRun]
    public async Task<JobFlowResult> RunAsync(RunJobInput input)
    {
        JobFlowResult result;
        try
        {
            result = await JobFlow.RunAsync(input, new ActivitySteps(), Workflow.CancellationToken);
        }
        catch (JobStepException failure)
        {
            // Only recording can fail past the flow; failing the workflow (not its task) makes that visible.
            throw new ApplicationFailureException(
                failure.Reason, errorType: failure.RejectionKind ?? JobTemporal.RecordFailedErrorType, nonRetryable: true);
        }

        if (result.State == JobState.Cancelled && Workflow.CancellationToken.IsCancellationRequested)
        {
            // Cleanup is done and recorded; ending as cancelled lets Temporal (and describe) say so too.
            throw new OperationCanceledException($"Job {input.JobId} was cancelled.");
        }

        return result;
    }

    /// <summary>The flow's steps as activities, with each step's timeouts and retry policy.</summary>
    private sealed class ActivitySteps : IJobFlowSteps
    {
        public Task<PrepareJobResult> PrepareAsync(RunJobInput input, CancellationToken cancellationToken) =>
            RunAsync(JobStep.Prepare, cancellationToken, () =>
                Workflow.ExecuteActivityAsync(
                    (JobActivities activities) => activities.PrepareAsync(input),
                    OptionsFor(JobFlow.Prepare, cancellationToken)));

        public Task CreateAsync(PreparedJob job, CancellationToken cancellationToken) =>
            RunAsync(JobStep.Create, cancellationToken, async () =>
            {
                await Workflow.ExecuteActivityAsync(
                    (JobActivities activities) => activities.CreateAsync(job),
                    OptionsFor(JobFlow.Create, cancellationToken));
                return true;
            });

        public Task<JobEnd> FollowAsync(FollowJobInput input, CancellationToken cancellationToken) =>
            RunAsync(JobStep.Follow, cancellationToken, () =>
                Workflow.ExecuteActivityAsync(
                    (JobActivities activities) => activities.FollowAsync(input),
                    OptionsFor(JobFlow.Follow, cancellationToken)));

        public Task DeleteAsync(DeleteJobInput input, CancellationToken cancellationToken) =>
            RunAsync(JobStep.Delete, cancellationToken, async () =>
            {
                await Workflow.ExecuteActivityAsync(
                    (JobActivities activities) => activities.DeleteAsync(input),
                    OptionsFor(JobFlow.Delete, cancellationToken));
                return true;
            });

        public Task<RecordOutcomeResult> RecordAsync(RecordOutcomeInput input, CancellationToken cancellationToken) =>
            RunAsync(JobStep.Record, cancellationToken, () =>
                Workflow.ExecuteActivityAsync(
                    (JobActivities activities) => activities.RecordAsync(input),
                    OptionsFor(JobFlow.Record, cancellationToken)));

        private static ActivityOptions OptionsFor(JobStepPolicy policy, CancellationToken cancellationToken) => new()
        {
            StartToCloseTimeout = policy.StartToCloseTimeout,
            HeartbeatTimeout = policy.HeartbeatTimeout,
            RetryPolicy = new RetryPolicy
            {
                InitialInterval = policy.InitialInterval,
                BackoffCoefficient = (float)policy.BackoffCoefficient,
                MaximumInterval = policy.MaximumInterval,
                MaximumAttempts = policy.MaximumAttempts,
                NonRetryableErrorTypes = JobTemporal.NonRetryableErrorTypes,
            },
            // Always explicit: left unset, Temporal would use the workflow's token and cancel cleanup too.
            CancellationToken = cancellationToken,
            // A cancelled step finishes (the follow stops, a create completes) before cleanup deletes the Job.
            CancellationType = ActivityCancellationType.WaitCancellationCompleted,
        };

        /// <summary>Turns an activity that failed for good into the flow's <see cref="JobStepException"/>.</summary>
        private static async Task<T> RunAsync<T>(JobStep step, CancellationToken cancellationToken, Func<Task<T>> activity)
        {
            try
            {
                return await activity();
            }
            catch (ActivityFailureException failure)
                when (!(cancellationToken.IsCancellationRequested && TemporalException.IsCanceledException(failure)))
            {
                throw failure.InnerException switch
                {
                    ApplicationFailureException { ErrorType: { } kind } rejected
                        when rejected.NonRetryable || JobTemporal.NonRetryableErrorTypes.Contains(kind) =>
                        JobStepException.Rejected(step, rejected.Message, kind),
                    TimeoutFailureException timeout => JobStepException.OutOfRetries(step, $"timed out ({timeout.Message})"),
                    { } cause => JobStepException.OutOfRetries(step, cause.Message),
                    null => JobStepException.OutOfRetries(step, failure.Message),
                };
            }
        }
    }
}
