using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Flow;

/// <summary>What one job's flow needs to run: the job and, for a flow picked up again after a restart, that fact.</summary>
/// <param name="Resuming">True when an earlier flow may already have created the Kubernetes Job.</param>
public sealed record RunJobInput(string JobId, string Service, string Environment, string Command, bool Resuming = false)
{
    /// <summary>
    /// The job's time limit, set as the Kubernetes Job's activeDeadlineSeconds. A property, not a parameter, so the
    /// input of a workflow started before limits existed still reads (as no limit).
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The flow input for a recorded job.</summary>
    public static RunJobInput For(JobRecord job, bool resuming = false)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(job.Id, job.Service, job.Environment, job.Command, resuming) { Timeout = job.Timeout };
    }
}

/// <summary>The prepare step's answer: the Job to create, or the state the job had already ended in.</summary>
/// <param name="Job">Null when the job had already ended before the flow got to it.</param>
public sealed record PrepareJobResult(PreparedJob? Job, JobState? EndedAs = null);

/// <summary>Which Kubernetes Job to follow, from which container, and in which environment's cluster.</summary>
public sealed record FollowJobInput(string JobId, string Environment, string Namespace, string JobName, string Container);

/// <summary>Which job's Kubernetes Job to delete; the namespace comes from its environment, the name from its id.</summary>
public sealed record DeleteJobInput(string JobId, string Environment);

/// <summary>The end a flow reached, to be recorded in the job store.</summary>
public sealed record RecordOutcomeInput(string JobId, JobState To, int? ExitCode = null, string? FailureReason = null)
{
    /// <summary>When the command ran, as the pod reported it: recorded instead of the moment the record is written.</summary>
    public RunTimes? Ran { get; init; }
}

/// <summary>Whether recording moved the job, and the state the job is in now (another writer's when the race was lost).</summary>
public sealed record RecordOutcomeResult(bool Applied, JobState State);

/// <summary>How a flow ended: the state the job is in, and whether this flow recorded it.</summary>
public sealed record JobFlowResult(JobState State, bool Recorded, int? ExitCode = null, string? FailureReason = null);

/// <summary>
/// The steps of a job's flow. The Temporal workflow runs each as an activity; the in-process runner calls the
/// activities directly. A step either returns, throws <see cref="OperationCanceledException"/> (or the runner's own
/// cancellation failure) when its token is cancelled, or throws <see cref="JobStepException"/> when it failed for good.
/// </summary>
public interface IJobFlowSteps
{
    Task<PrepareJobResult> PrepareAsync(RunJobInput input, CancellationToken cancellationToken);

    Task CreateAsync(PreparedJob job, CancellationToken cancellationToken);

    Task<JobEnd> FollowAsync(FollowJobInput input, CancellationToken cancellationToken);

    Task DeleteAsync(DeleteJobInput input, CancellationToken cancellationToken);

    Task<RecordOutcomeResult> RecordAsync(RecordOutcomeInput input, CancellationToken cancellationToken);
}

/// <summary>The steps of the flow, named in failure reasons and logs.</summary>
public enum JobStep
{
    Prepare,
    Create,
    Follow,
    Delete,
    Record,
}

/// <summary>A step that failed for good: rejected by Kubernetes or the engine, or out of retries.</summary>
public sealed class JobStepException : Exception
{
    public JobStepException(JobStep step, string reason, string? rejectionKind)
        : base(reason)
    {
        Step = step;
        RejectionKind = rejectionKind;
    }

    public JobStep Step { get; }

    /// <summary>The <see cref="JobRejectedException.Kind"/> when the step was rejected; null when it ran out of retries.</summary>
    public string? RejectionKind { get; }

    /// <summary>The reason to record on the failed job.</summary>
    public string Reason => Message;

    /// <summary>A step that retrying cannot fix, with the reason as Kubernetes or the engine gave it.</summary>
    public static JobStepException Rejected(JobStep step, string reason, string kind) => new(step, reason, kind);

    /// <summary>A step that kept failing until its retries ran out.</summary>
    public static JobStepException OutOfRetries(JobStep step, string error) =>
        new(step, $"The job engine could not {Verb(step)}: {error}", null);

    private static string Verb(JobStep step) => step switch
    {
        JobStep.Prepare => "read the service's Deployment to build the Kubernetes Job",
        JobStep.Create => "create the Kubernetes Job",
        JobStep.Follow => "follow the Kubernetes Job",
        JobStep.Delete => "delete the Kubernetes Job",
        JobStep.Record => "record the job's outcome",
        _ => step.ToString(),
    };
}

/// <summary>How long one step may take and how it is retried; Temporal and the in-process runner apply the same.</summary>
public sealed record JobStepPolicy(
    TimeSpan StartToCloseTimeout,
    int MaximumAttempts,
    TimeSpan InitialInterval,
    TimeSpan MaximumInterval,
    double BackoffCoefficient = 2,
    TimeSpan? HeartbeatTimeout = null)
{
    /// <summary>The wait before attempt <paramref name="attempt"/> (2 or more), as Temporal computes it.</summary>
    public TimeSpan DelayBeforeAttempt(int attempt)
    {
        var delay = InitialInterval.TotalMilliseconds * Math.Pow(BackoffCoefficient, Math.Max(0, attempt - 2));
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaximumInterval.TotalMilliseconds));
    }
}
