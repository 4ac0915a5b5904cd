using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Observability;

/// <summary>
/// The job store as everyone in this process sees it, counting each job recorded, and each job that a compare-and-set
/// moved into a final state: every path that ends a job (the flow, a cancel, a failed start) goes through here exactly
/// once per job.
/// </summary>
public sealed class MeteredJobStore(IJobStore inner, JobMetrics metrics) : IJobStore
{
    /// <summary>The store this one counts for.</summary>
    public IJobStore Inner => inner;

    public async Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var job = await inner.CreateAsync(request, cancellationToken);
        metrics.Recorded(job.Environment);
        return job;
    }

    public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        inner.GetAsync(jobId, cancellationToken);

    public async Task<TransitionResult> TryTransitionAsync(
        string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var result = await inner.TryTransitionAsync(jobId, expected, transition, cancellationToken);
        if (result.Applied && transition.To.IsFinal())
        {
            metrics.Finished(transition.To);
        }

        return result;
    }

    public Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken) =>
        inner.AddDetailsAsync(jobId, details, cancellationToken);

    public Task<JobRecord?> RequestCancelAsync(string jobId, string requestedBy, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.RequestCancelAsync(jobId, requestedBy, at, cancellationToken);

    public Task<bool> TryMarkCreateRequestedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.TryMarkCreateRequestedAsync(jobId, at, cancellationToken);

    public Task ClearCreateRequestedAsync(string jobId, CancellationToken cancellationToken) =>
        inner.ClearCreateRequestedAsync(jobId, cancellationToken);

    public Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken) =>
        inner.ListAsync(query, cancellationToken);

    public IAsyncEnumerable<JobChanged> WatchAsync(CancellationToken cancellationToken) =>
        inner.WatchAsync(cancellationToken);
}
