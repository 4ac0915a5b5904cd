using Specific.Jobs.Domain;

namespace Specific.Jobs.Kubernetes;

/// <summary>
/// The job engine's port to Kubernetes: read the live Deployment, create the Job, follow it to the end, delete it.
/// The KubernetesClient adapter implements it; the flow's activities call it.
/// </summary>
public interface IKubernetesJobs
{
    /// <summary>
    /// Reads the service's live Deployment and builds the Job from it (nothing is created yet).
    /// Throws <see cref="JobRejectedException"/> for what retrying cannot fix: not deployed, forbidden, invalid.
    /// </summary>
    Task<PreparedJob> PrepareAsync(PrepareJobRequest request, CancellationToken cancellationToken);

    /// <summary>Creates the Job. Idempotent: a 409 for our own Job (same job-id label) counts as created.</summary>
    Task CreateAsync(PreparedJob job, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the job's Kubernetes Job by its job-id label (<see cref="JobLabels.SelectorFor"/>): its name, or null when
    /// there is none or it is being deleted. <paramref name="environment"/> picks the cluster; null finds it by namespace.
    /// </summary>
    Task<string?> FindAsync(string? environment, string @namespace, string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Follows the Job and its pod until the command ends or the pod can never start, reporting through
    /// <paramref name="observer"/>. Resumes from <see cref="FollowRequest.Checkpoint"/> with no duplicate and no
    /// missing log line. Returns how the Job ended.
    /// </summary>
    Task<JobEnd> FollowAsync(FollowRequest request, IFollowObserver observer, CancellationToken cancellationToken);

    /// <summary>Deletes the Job with propagationPolicy Background; a Job already gone is not an error.</summary>
    Task DeleteAsync(string @namespace, string jobName, CancellationToken cancellationToken);
}

/// <summary>What to build: the job id, the service (Deployment name), the environment and the command.</summary>
public sealed record PrepareJobRequest(string JobId, string Service, string Environment, string Namespace, string Command)
{
    /// <summary>When set, Kubernetes stops the Job after this many seconds (reason DeadlineExceeded).</summary>
    public long? ActiveDeadlineSeconds { get; init; }
}

/// <summary>The Job built from the live Deployment, ready to create, and what was left out of it.</summary>
/// <param name="JobJson">The typed V1Job, serialized with KubernetesJson so it crosses activity boundaries.</param>
public sealed record PreparedJob(
    string JobId,
    string Namespace,
    string JobName,
    string Container,
    string Image,
    string JobJson,
    IReadOnlyList<string> Notes)
{
    /// <summary>The environment it was built for, so the adapter picks that environment's cluster.</summary>
    public string? Environment { get; init; }
}

/// <summary>Where a follow starts: a fresh one has an empty checkpoint.</summary>
public sealed record FollowRequest(string JobId, string Namespace, string JobName, string Container, FollowCheckpoint Checkpoint)
{
    /// <summary>The environment of the job, so the adapter picks that environment's cluster; null finds it by namespace.</summary>
    public string? Environment { get; init; }
}

/// <summary>How far a follow got: the last log line stored and its timestamp, so a resumed follow skips what it has.</summary>
public sealed record FollowCheckpoint(long LastLogLine = 0, DateTimeOffset? LastLogTimestamp = null, bool Running = false)
{
    /// <summary>How many of the lines already stored carry <see cref="LastLogTimestamp"/>, so a resume skips exactly those.</summary>
    public int LinesAtLastTimestamp { get; init; }
}

/// <summary>Told, in order, what a follow sees. Each call returns only once the fact is durably recorded.</summary>
public interface IFollowObserver
{
    /// <summary>
    /// The container started, at <paramref name="startedAt"/> as the pod reports it (null when it does not);
    /// <paramref name="image"/> carries the digest when the pod reports one.
    /// </summary>
    Task OnRunningAsync(string? image, DateTimeOffset? startedAt, CancellationToken cancellationToken);

    /// <summary>A batch of new log lines, numbered on from the checkpoint.</summary>
    Task OnLogLinesAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken);

    /// <summary>A checkpoint to resume from (Temporal heartbeats it).</summary>
    void OnProgress(FollowCheckpoint checkpoint);
}

/// <summary>How the Job ended: the exit code when the command ran to the end, else a reason a person can act on.</summary>
public sealed record JobEnd(bool Succeeded, int? ExitCode, string? FailureReason)
{
    /// <summary>When the command ran, as the pod reports it; null when the container never reported both times.</summary>
    public RunTimes? Ran { get; init; }
}

/// <summary>The container's own startedAt and finishedAt (its terminated state), which a job's duration is measured by.</summary>
public sealed record RunTimes(DateTimeOffset StartedAt, DateTimeOffset FinishedAt);

/// <summary>
/// A job Kubernetes refused or can never run, with a reason a person can act on. Retrying does not help.
/// </summary>
public sealed class JobRejectedException(string reason, string kind) : Exception(reason)
{
    /// <summary>One of <see cref="RejectionKinds"/>, which is also the failure's Temporal error type.</summary>
    public string Kind { get; } = kind;
}
