using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>
/// The job store: the source of truth for job state. PostgreSQL in production, SQLite on the embedded default.
/// Both implementations pass one contract suite.
/// </summary>
public interface IJobStore
{
    /// <summary>Records a new job in state pending and returns it.</summary>
    Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken);

    Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Compare-and-set: moves the job from <paramref name="expected"/> to <paramref name="transition"/>.To only
    /// if it is still in <paramref name="expected"/>. Two writers can never both move one job.
    /// </summary>
    /// <exception cref="InvalidTransitionException">The lifecycle does not allow the move at all.</exception>
    Task<TransitionResult> TryTransitionAsync(
        string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken);

    /// <summary>Records facts (Kubernetes name, image, notes) without a state change; bumps the version.</summary>
    Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken);

    /// <summary>
    /// Records that <paramref name="requestedBy"/> asked to cancel an unfinished job, before anyone is told "Cancelling";
    /// the first request is kept and a later one changes nothing. A job that has ended is left as it is. Returns the job
    /// as it is now, or null when there is no such job.
    /// </summary>
    Task<JobRecord?> RequestCancelAsync(string jobId, string requestedBy, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Marks that the Kubernetes Job is about to be created, atomically: true when this call set the mark, false when it
    /// was already there (an earlier attempt may have created the Job, so look it up instead). Not a visible change:
    /// the version stays.
    /// </summary>
    /// <exception cref="JobNotFoundException">There is no such job.</exception>
    Task<bool> TryMarkCreateRequestedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes the create mark after an attempt that provably created nothing, so a retry may create.</summary>
    Task ClearCreateRequestedAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Recent jobs, newest first, optionally of one service and/or only those not yet ended.</summary>
    Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Every change (create, transition, details) as it is committed, for the thread keeper. PostgreSQL uses
    /// LISTEN/NOTIFY; SQLite signals in process. A consumer re-reads the job; a notice may be coalesced.
    /// </summary>
    IAsyncEnumerable<JobChanged> WatchAsync(CancellationToken cancellationToken);
}

/// <summary>A filter for <see cref="IJobStore.ListAsync"/>.</summary>
public sealed record JobQuery(string? Service = null, bool UnfinishedOnly = false, int Limit = 20, string? Environment = null, string? ChannelId = null)
{
    /// <summary>Only the jobs this person started (the origin's user id), as the Home tab lists them.</summary>
    public string? UserId { get; init; }

    /// <summary>Only jobs whose cancel was recorded, as the start-up sweep redelivers them.</summary>
    public bool CancelRequestedOnly { get; init; }
}

/// <summary>A notice that a job was written; the version lets a consumer skip what it has already seen.</summary>
public sealed record JobChanged(string JobId, long Version);

/// <summary>The outcome of a compare-and-set transition.</summary>
/// <param name="Applied">True when this call moved the job.</param>
/// <param name="Job">The job as it is now (moved by this call, or as another writer left it); null if unknown.</param>
public sealed record TransitionResult(bool Applied, JobRecord? Job);

/// <summary>Thrown when a transition is not allowed by the lifecycle.</summary>
public sealed class InvalidTransitionException(JobState from, JobState to)
    : InvalidOperationException($"A job cannot move from {from.ToWire()} to {to.ToWire()}.")
{
    public JobState From { get; } = from;
    public JobState To { get; } = to;
}
