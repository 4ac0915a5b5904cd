using Specific.Jobs.Domain;

namespace Specific.Jobs.Flow;

/// <summary>
/// What the front door uses to drive the engine: Temporal in production, the in-process runner on the embedded
/// default. The caller records the job (pending) first; <see cref="StartAsync"/> starts the flow and moves it to
/// queued.
/// </summary>
public interface IJobLauncher
{
    /// <summary>Starts the flow for a pending job and records it as queued. A second start of one job is refused.</summary>
    Task StartAsync(JobRecord job, CancellationToken cancellationToken);

    /// <summary>Asks the flow to cancel; the flow deletes the Kubernetes Job and records cancelled.</summary>
    Task CancelAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>What the runner knows of the job's flow (running, finished, unknown).</summary>
    Task<FlowDescription> DescribeAsync(string jobId, CancellationToken cancellationToken);
}

/// <summary>The runner's view of one job's flow.</summary>
public sealed record FlowDescription(string JobId, string Status, string? Detail = null);
