using Microsoft.Extensions.Logging;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Flow;

/// <summary>
/// The flow's steps as direct calls to <see cref="JobActivities"/>, with Temporal's behaviour emulated: each step's
/// start-to-close timeout and retry policy, rejections never retried, and the follow's last heartbeated checkpoint
/// kept so a retried follow resumes from it. <paramref name="stopping"/> ends every step (the runner is stopping)
/// without it counting as the job's cancel.
/// </summary>
public sealed partial class DirectJobFlowSteps(
    JobActivities activities, TimeProvider time, ILogger logger, CancellationToken stopping) : IJobFlowSteps
{
    private FollowCheckpoint? _lastCheckpoint;

    /// <summary>The follow's last heartbeated checkpoint, if it got that far.</summary>
    public FollowCheckpoint? LastCheckpoint => Volatile.Read(ref _lastCheckpoint);

    public Task<PrepareJobResult> PrepareAsync(RunJobInput input, CancellationToken cancellationToken) =>
        RunAsync(JobStep.Prepare, input.JobId, cancellationToken, token => activities.PrepareAsync(input, token));

    public Task CreateAsync(PreparedJob job, CancellationToken cancellationToken) =>
        RunAsync(JobStep.Create, job.JobId, cancellationToken, async token =>
        {
            await activities.CreateAsync(job, token);
            return true;
        });

    public Task<JobEnd> FollowAsync(FollowJobInput input, CancellationToken cancellationToken) =>
        RunAsync(JobStep.Follow, input.JobId, cancellationToken, token =>
            activities.FollowAsync(input, LastCheckpoint, checkpoint => Volatile.Write(ref _lastCheckpoint, checkpoint), token));

    public Task DeleteAsync(DeleteJobInput input, CancellationToken cancellationToken) =>
        RunAsync(JobStep.Delete, input.JobId, cancellationToken, async token =>
        {
            await activities.DeleteAsync(input, token);
            return true;
        });

    public Task<RecordOutcomeResult> RecordAsync(RecordOutcomeInput input, CancellationToken cancellationToken) =>
        RunAsync(JobStep.Record, input.JobId, cancellationToken, token => activities.RecordAsync(input, token));

    private async Task<T> RunAsync<T>(
        JobStep step, string jobId, CancellationToken cancellationToken, Func<CancellationToken, Task<T>> attempt)
    {
        var policy = JobFlow.PolicyOf(step);
        using var stepCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        for (var number = 1; ; number++)
        {
            using var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(stepCancellation.Token);
            attemptCancellation.CancelAfter(policy.StartToCloseTimeout);
            try
            {
                return await attempt(attemptCancellation.Token);
            }
            catch (JobRejectedException rejected)
            {
                throw JobStepException.Rejected(step, rejected.Message, rejected.Kind);
            }
            catch (OperationCanceledException) when (stepCancellation.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception failure) when (number < policy.MaximumAttempts)
            {
                var delay = policy.DelayBeforeAttempt(number + 1);
                LogRetrying(failure, step, jobId, number, delay);
                await Task.Delay(delay, time, stepCancellation.Token);
            }
            catch (Exception failure)
            {
                var error = failure is OperationCanceledException
                    ? $"timed out after {policy.StartToCloseTimeout}"
                    : failure.Message;
                throw JobStepException.OutOfRetries(step, error);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Step} of job {JobId} failed on attempt {Attempt}; retrying in {Delay}")]
    private partial void LogRetrying(Exception failure, JobStep step, string jobId, int attempt, TimeSpan delay);
}
