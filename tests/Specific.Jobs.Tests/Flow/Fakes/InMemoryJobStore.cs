using System.Runtime.CompilerServices;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Flow.Fakes;

/// <summary>A job store in a dictionary, with the real lifecycle rules and compare-and-set, for unit tests.</summary>
public sealed class InMemoryJobStore : IJobStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, JobRecord> jobs = new(StringComparer.Ordinal);
    private readonly List<(string JobId, JobState From, JobState To)> transitions = [];

    /// <summary>Every applied transition, in order.</summary>
    public IReadOnlyList<(string JobId, JobState From, JobState To)> Transitions
    {
        get
        {
            lock (gate)
            {
                return [.. transitions];
            }
        }
    }

    public Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var job = new JobRecord
        {
            Id = JobIds.New(),
            Service = request.Service,
            Environment = request.Environment,
            Command = request.Command,
            Name = request.Name,
            Origin = request.Origin,
            RerunOf = request.RerunOf,
            State = JobState.Pending,
            Version = 1,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        lock (gate)
        {
            jobs[job.Id] = job;
        }

        return Task.FromResult(job);
    }

    /// <summary>Puts a job in any state directly, as if earlier writers had moved it there.</summary>
    public JobRecord Put(JobRecord job)
    {
        lock (gate)
        {
            jobs[job.Id] = job;
        }

        return job;
    }

    public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(jobs.GetValueOrDefault(jobId));
        }
    }

    public JobRecord Get(string jobId)
    {
        lock (gate)
        {
            return jobs[jobId];
        }
    }

    public Task<TransitionResult> TryTransitionAsync(
        string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!JobLifecycle.CanMove(expected, transition.To))
        {
            throw new InvalidTransitionException(expected, transition.To);
        }

        lock (gate)
        {
            if (!jobs.TryGetValue(jobId, out var job))
            {
                return Task.FromResult(new TransitionResult(false, null));
            }

            if (job.State != expected)
            {
                return Task.FromResult(new TransitionResult(false, job));
            }

            var moved = job with
            {
                State = transition.To,
                Version = job.Version + 1,
                QueuedAt = transition.To == JobState.Queued ? transition.At : job.QueuedAt,
                RunningAt = transition.To == JobState.Running ? transition.At : job.RunningAt,
                FinishedAt = transition.To.IsFinal() ? transition.At : job.FinishedAt,
                ExitCode = transition.ExitCode ?? job.ExitCode,
                FailureReason = transition.FailureReason ?? job.FailureReason,
            };
            jobs[jobId] = moved;
            transitions.Add((jobId, expected, transition.To));
            return Task.FromResult(new TransitionResult(true, moved));
        }
    }

    public Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var job = jobs[jobId];
            var updated = job with
            {
                Version = job.Version + 1,
                KubernetesJobName = details.KubernetesJobName ?? job.KubernetesJobName,
                Namespace = details.Namespace ?? job.Namespace,
                Image = details.Image ?? job.Image,
                Notes = details.Notes ?? job.Notes,
            };
            jobs[jobId] = updated;
            return Task.FromResult(updated);
        }
    }

    public Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IReadOnlyList<JobRecord> found = jobs.Values
                .Where(job => query.Service is null || job.Service == query.Service)
                .Where(job => !query.UnfinishedOnly || !job.State.IsFinal())
                .OrderByDescending(job => job.CreatedAt)
                .Take(query.Limit)
                .ToList();
            return Task.FromResult(found);
        }
    }

    public async IAsyncEnumerable<JobChanged> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }
}
