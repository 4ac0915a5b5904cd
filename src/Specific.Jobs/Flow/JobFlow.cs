using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Flow;

/// <summary>
/// The one orchestration of a job: prepare, create, follow, record; cleanup on cancel or failure. Both runners run
/// this code, so it obeys Temporal's determinism rules: no I/O, no clocks, no Task.Run/Delay, no ConfigureAwait.
/// </summary>
public static class JobFlow
{
    /// <summary>Reading the Deployment and building the Job: quick, retried a few times.</summary>
    public static readonly JobStepPolicy Prepare = new(
        StartToCloseTimeout: TimeSpan.FromSeconds(30), MaximumAttempts: 5,
        InitialInterval: TimeSpan.FromSeconds(1), MaximumInterval: TimeSpan.FromSeconds(30));

    /// <summary>Creating the Job may be retried: a retry finds the Job an earlier attempt made (the create mark), never makes a second.</summary>
    public static readonly JobStepPolicy Create = new(
        StartToCloseTimeout: TimeSpan.FromSeconds(30), MaximumAttempts: 5,
        InitialInterval: TimeSpan.FromSeconds(1), MaximumInterval: TimeSpan.FromSeconds(30));

    /// <summary>
    /// Following lasts as long as the command; the heartbeat carries the checkpoint, so a retry resumes. A follow
    /// longer than the start-to-close timeout is cut and resumed by the next attempt.
    /// </summary>
    public static readonly JobStepPolicy Follow = new(
        StartToCloseTimeout: TimeSpan.FromHours(12), MaximumAttempts: 10,
        InitialInterval: TimeSpan.FromSeconds(1), MaximumInterval: TimeSpan.FromMinutes(1),
        HeartbeatTimeout: TimeSpan.FromSeconds(30));

    /// <summary>Deleting is cleanup that must happen: more attempts.</summary>
    public static readonly JobStepPolicy Delete = new(
        StartToCloseTimeout: TimeSpan.FromSeconds(30), MaximumAttempts: 10,
        InitialInterval: TimeSpan.FromSeconds(1), MaximumInterval: TimeSpan.FromSeconds(30));

    /// <summary>Recording rides out a short store outage.</summary>
    public static readonly JobStepPolicy Record = new(
        StartToCloseTimeout: TimeSpan.FromSeconds(15), MaximumAttempts: 10,
        InitialInterval: TimeSpan.FromSeconds(1), MaximumInterval: TimeSpan.FromSeconds(30));

    /// <summary>The policy of a step.</summary>
    public static JobStepPolicy PolicyOf(JobStep step) => step switch
    {
        JobStep.Prepare => Prepare,
        JobStep.Create => Create,
        JobStep.Follow => Follow,
        JobStep.Delete => Delete,
        JobStep.Record => Record,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };

    /// <summary>
    /// Runs one job to its end and records it. <paramref name="cancellation"/> is the job's cancel: the Kubernetes
    /// Job is then deleted and the job recorded cancelled, on a detached token so cleanup outlives the cancel.
    /// Any other cancellation of a step (a runner shutting down) propagates without recording anything.
    /// </summary>
    public static async Task<JobFlowResult> RunAsync(RunJobInput input, IJobFlowSteps steps, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(steps);

        // A resumed flow cannot know whether its predecessor got as far as creating the Job.
        var kubernetesJobMayExist = input.Resuming;
        RecordOutcomeInput outcome;
        try
        {
            cancellation.ThrowIfCancellationRequested();
            var prepared = await steps.PrepareAsync(input, cancellation);
            if (prepared.Job is not { } job)
            {
                return new JobFlowResult(prepared.EndedAs ?? JobState.Cancelled, Recorded: false);
            }

            cancellation.ThrowIfCancellationRequested();
            kubernetesJobMayExist = true;
            await steps.CreateAsync(job, cancellation);

            var end = await steps.FollowAsync(
                new FollowJobInput(input.JobId, input.Environment, job.Namespace, job.JobName, job.Container), cancellation);
            outcome = OutcomeOf(input.JobId, end);
        }
        catch (Exception) when (cancellation.IsCancellationRequested)
        {
            outcome = new RecordOutcomeInput(input.JobId, JobState.Cancelled);
        }
        catch (JobStepException failure)
        {
            outcome = new RecordOutcomeInput(input.JobId, JobState.Failed, FailureReason: failure.Reason);
        }

        // Detached: the job's cancel must not cancel its own cleanup.
        using var cleanup = new CancellationTokenSource();
        if (kubernetesJobMayExist && MustDelete(outcome))
        {
            outcome = await DeleteAsync(input, outcome, steps, cleanup.Token);
        }

        var recorded = await steps.RecordAsync(outcome, cleanup.Token);
        return new JobFlowResult(recorded.State, recorded.Applied, outcome.ExitCode, outcome.FailureReason);
    }

    private static RecordOutcomeInput OutcomeOf(string jobId, JobEnd end)
    {
        if (end.Succeeded)
        {
            return new RecordOutcomeInput(jobId, JobState.Succeeded, end.ExitCode ?? 0) { Ran = end.Ran };
        }

        var reason = end.FailureReason
            ?? (end.ExitCode is { } code ? $"The command exited with code {code}." : "The Kubernetes Job failed.");
        return new RecordOutcomeInput(jobId, JobState.Failed, end.ExitCode, reason) { Ran = end.Ran };
    }

    /// <summary>
    /// A cancelled job, or one that ended without its command running to the end (a pod that never started, a
    /// follow that gave up), is deleted so that nothing runs later that no flow follows. A command that ran to its
    /// exit code is left for ttlSecondsAfterFinished, so kubectl can still show it.
    /// </summary>
    private static bool MustDelete(RecordOutcomeInput outcome) =>
        outcome.To == JobState.Cancelled || (outcome.To == JobState.Failed && outcome.ExitCode is null);

    private static async Task<RecordOutcomeInput> DeleteAsync(
        RunJobInput input, RecordOutcomeInput outcome, IJobFlowSteps steps, CancellationToken cleanup)
    {
        try
        {
            await steps.DeleteAsync(new DeleteJobInput(input.JobId, input.Environment), cleanup);
            return outcome;
        }
        catch (JobStepException failure) when (outcome.To == JobState.Cancelled)
        {
            // Saying "cancelled" while the pod may still run would be a lie; say what to do instead.
            return outcome with
            {
                To = JobState.Failed,
                FailureReason = $"The job was cancelled, but its Kubernetes Job could not be deleted and may still be "
                    + $"running; delete it with kubectl. {failure.Reason}",
            };
        }
        catch (JobStepException failure)
        {
            return outcome with
            {
                FailureReason = $"{outcome.FailureReason} The Kubernetes Job could not be deleted either: {failure.Reason}",
            };
        }
    }
}
