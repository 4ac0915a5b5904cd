using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Tests.Threads.Fakes;

/// <summary>An in-memory <see cref="IJobStore"/> for unit tests of the thread keeper; notices every change to every watcher.</summary>
internal sealed class InMemoryJobStore(TimeProvider time) : IJobStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, JobRecord> jobs = new(StringComparer.Ordinal);
    private readonly List<Channel<JobChanged>> watchers = [];

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
            CreatedAt = time.GetUtcNow(),
        };
        Write(job);
        return Task.FromResult(job);
    }

    public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(jobs.GetValueOrDefault(jobId));
        }
    }

    public Task<TransitionResult> TryTransitionAsync(string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
    {
        JobRecord next;
        lock (gate)
        {
            var job = jobs[jobId];
            if (!JobLifecycle.CanMove(expected, transition.To))
            {
                throw new InvalidTransitionException(expected, transition.To);
            }
            if (job.State != expected)
            {
                return Task.FromResult(new TransitionResult(false, job));
            }
            next = job with
            {
                State = transition.To,
                Version = job.Version + 1,
                QueuedAt = transition.To == JobState.Queued ? transition.At : job.QueuedAt,
                RunningAt = transition.To == JobState.Running ? transition.At : job.RunningAt,
                FinishedAt = transition.To.IsFinal() ? transition.At : job.FinishedAt,
                ExitCode = transition.ExitCode ?? job.ExitCode,
                FailureReason = transition.FailureReason ?? job.FailureReason,
            };
        }
        Write(next);
        return Task.FromResult(new TransitionResult(true, next));
    }

    public Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken)
    {
        JobRecord next;
        lock (gate)
        {
            var job = jobs[jobId];
            next = job with
            {
                Version = job.Version + 1,
                KubernetesJobName = details.KubernetesJobName ?? job.KubernetesJobName,
                Namespace = details.Namespace ?? job.Namespace,
                Image = details.Image ?? job.Image,
                Notes = details.Notes ?? job.Notes,
            };
        }
        Write(next);
        return Task.FromResult(next);
    }

    public Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IReadOnlyList<JobRecord> list = jobs.Values
                .Where(job => query.Service is null || job.Service == query.Service)
                .Where(job => !query.UnfinishedOnly || !job.State.IsFinal())
                .OrderByDescending(job => job.CreatedAt)
                .Take(query.Limit)
                .ToList();
            return Task.FromResult(list);
        }
    }

    public async IAsyncEnumerable<JobChanged> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<JobChanged>();
        lock (gate)
        {
            watchers.Add(channel);
        }
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return change;
            }
        }
        finally
        {
            lock (gate)
            {
                watchers.Remove(channel);
            }
        }
    }

    /// <summary>Moves a job on, as the job flow would.</summary>
    public async Task<JobRecord> MoveAsync(string jobId, JobState to, int? exitCode = null, string? reason = null)
    {
        var job = (await GetAsync(jobId, CancellationToken.None))!;
        var result = await TryTransitionAsync(jobId, job.State, new JobTransition(to, time.GetUtcNow(), exitCode, reason), CancellationToken.None);
        Assert.True(result.Applied);
        return result.Job!;
    }

    private void Write(JobRecord job)
    {
        Channel<JobChanged>[] targets;
        lock (gate)
        {
            jobs[job.Id] = job;
            targets = [.. watchers];
        }
        foreach (var watcher in targets)
        {
            watcher.Writer.TryWrite(new JobChanged(job.Id, job.Version));
        }
    }
}
