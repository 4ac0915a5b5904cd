using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Testing;

/// <summary>
/// A job store in a dictionary for unit tests, with the real stores' rules: compare-and-set transitions the
/// lifecycle allows, a reason on every failure, a version bump on every write and a notice to every watcher.
/// </summary>
public sealed class InMemoryJobStore(TimeProvider? time = null) : IJobStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly List<(string JobId, JobState From, JobState To)> _transitions = [];
    private readonly List<Channel<JobChanged>> _watchers = [];

    /// <summary>Every applied transition, in order.</summary>
    public IReadOnlyList<(string JobId, JobState From, JobState To)> Transitions
    {
        get
        {
            lock (_gate)
            {
                return [.. _transitions];
            }
        }
    }

    /// <summary>When set, recording a cancel fails with it, as a store that cannot be written does.</summary>
    public Exception? FailCancelRequestsWith { get; set; }

    /// <summary>Every job, oldest first.</summary>
    public IReadOnlyList<JobRecord> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _jobs.Values.OrderBy(job => job.CreatedAt)];
            }
        }
    }

    public Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = new JobRecord
        {
            Id = request.JobId ?? JobIds.New(),
            Service = request.Service,
            Environment = request.Environment,
            Command = request.Command,
            Name = request.Name,
            Origin = request.Origin,
            RerunOf = request.RerunOf,
            Timeout = request.Timeout is { } limit ? TimeSpan.FromSeconds(JobTimeouts.ToSeconds(limit)) : null,
            Task = request.Task,
            State = JobState.Pending,
            Version = 1,
            CreatedAt = _time.GetUtcNow(),
            ApprovedBy = request.ApprovedBy,
        };
        lock (_gate)
        {
            // A chosen id (an approved run's) is recorded once, as the real stores' primary keys ensure.
            if (_jobs.ContainsKey(job.Id))
            {
                return Task.FromException<JobRecord>(new InvalidOperationException($"Job {job.Id} is already recorded."));
            }

            // Run alone: the check and the write happen under one lock, as the real stores do under theirs.
            if (request.RunAlone && _jobs.Values
                    .Where(other => other.Service == request.Service && other.Environment == request.Environment && !other.State.IsFinal())
                    .OrderBy(other => other.CreatedAt)
                    .FirstOrDefault() is { } running)
            {
                return Task.FromException<JobRecord>(new ServiceBusyException(running));
            }

            _jobs[job.Id] = job;
        }

        Notify(job);
        return Task.FromResult(job);
    }

    /// <summary>Puts a job in any state directly, as if earlier writers had moved it there; no watcher is told.</summary>
    public JobRecord Put(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            _jobs[job.Id] = job;
        }

        return job;
    }

    public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_jobs.GetValueOrDefault(jobId));
        }
    }

    /// <summary>The job as stored now; throws when there is none.</summary>
    public JobRecord Get(string jobId)
    {
        lock (_gate)
        {
            return _jobs.TryGetValue(jobId, out var job) ? job : throw new JobNotFoundException(jobId);
        }
    }

    public Task<TransitionResult> TryTransitionAsync(
        string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        cancellationToken.ThrowIfCancellationRequested();
        if (!JobLifecycle.CanMove(expected, transition.To))
        {
            throw new InvalidTransitionException(expected, transition.To);
        }

        if (transition.To == JobState.Failed && string.IsNullOrWhiteSpace(transition.FailureReason))
        {
            throw new ArgumentException("A failed job must carry a reason a person can act on.", nameof(transition));
        }

        JobRecord moved;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
            {
                return Task.FromResult(new TransitionResult(false, null));
            }

            if (job.State != expected)
            {
                return Task.FromResult(new TransitionResult(false, job));
            }

            moved = job with
            {
                State = transition.To,
                Version = job.Version + 1,
                QueuedAt = transition.To == JobState.Queued ? transition.At : job.QueuedAt,
                RunningAt = transition.To == JobState.Running ? transition.At : job.RunningAt,
                FinishedAt = transition.To.IsFinal() ? transition.At : job.FinishedAt,
                ExitCode = transition.ExitCode ?? job.ExitCode,
                FailureReason = transition.FailureReason ?? job.FailureReason,
            };
            _jobs[jobId] = moved;
            _transitions.Add((jobId, expected, transition.To));
        }

        Notify(moved);
        return Task.FromResult(new TransitionResult(true, moved));
    }

    /// <summary>Moves a job on from wherever it is now, as the job flow would; throws if another writer got there first.</summary>
    public async Task<JobRecord> MoveAsync(string jobId, JobState to, int? exitCode = null, string? reason = null)
    {
        var job = Get(jobId);
        var result = await TryTransitionAsync(
            jobId, job.State, new JobTransition(to, _time.GetUtcNow(), exitCode, reason), CancellationToken.None);
        return result.Applied
            ? result.Job!
            : throw new InvalidOperationException($"Job {jobId} moved away from {job.State.ToWire()} before it could move to {to.ToWire()}.");
    }

    public Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(details);
        cancellationToken.ThrowIfCancellationRequested();
        JobRecord updated;
        lock (_gate)
        {
            var job = _jobs.TryGetValue(jobId, out var found) ? found : throw new JobNotFoundException(jobId);
            updated = job with
            {
                Version = job.Version + 1,
                KubernetesJobName = details.KubernetesJobName ?? job.KubernetesJobName,
                Namespace = details.Namespace ?? job.Namespace,
                Image = details.Image ?? job.Image,
                // Unlike the real stores, which add new notes to the old ones, given notes replace the old ones:
                // ThreadKeeperTests.Message_updates_are_coalesced_to_the_latest_state relies on it.
                Notes = details.Notes ?? job.Notes,
            };
            _jobs[jobId] = updated;
        }

        Notify(updated);
        return Task.FromResult(updated);
    }

    public Task<JobRecord?> RequestCancelAsync(string jobId, string requestedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestedBy);
        cancellationToken.ThrowIfCancellationRequested();
        if (FailCancelRequestsWith is { } failure)
        {
            return Task.FromException<JobRecord?>(failure);
        }

        JobRecord recorded;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(jobId, out var job) || job.CancelRequestedAt is not null || job.State.IsFinal())
            {
                return Task.FromResult(job);
            }

            recorded = job with { Version = job.Version + 1, CancelRequestedAt = at, CancelRequestedBy = requestedBy };
            _jobs[jobId] = recorded;
        }

        Notify(recorded);
        return Task.FromResult<JobRecord?>(recorded);
    }

    public Task<bool> TryMarkCreateRequestedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var job = _jobs.TryGetValue(jobId, out var found) ? found : throw new JobNotFoundException(jobId);
            if (job.CreateRequestedAt is not null)
            {
                return Task.FromResult(false);
            }

            _jobs[jobId] = job with { CreateRequestedAt = at };
            return Task.FromResult(true);
        }
    }

    public Task ClearCreateRequestedAsync(string jobId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_jobs.TryGetValue(jobId, out var job))
            {
                _jobs[jobId] = job with { CreateRequestedAt = null };
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            IReadOnlyList<JobRecord> found = _jobs.Values
                .Where(job => query.Service is null || job.Service == query.Service)
                .Where(job => query.Environment is null || job.Environment == query.Environment)
                .Where(job => query.ChannelId is null || job.Origin.ChannelId == query.ChannelId)
                .Where(job => query.UserId is null || job.Origin.UserId == query.UserId)
                .Where(job => !query.UnfinishedOnly || !job.State.IsFinal())
                .Where(job => !query.CancelRequestedOnly || job.CancelRequestedAt is not null)
                .OrderByDescending(job => job.CreatedAt)
                .ThenByDescending(job => job.Id, StringComparer.Ordinal)
                .Take(Math.Clamp(query.Limit, 1, 500))
                .ToList();
            return Task.FromResult(found);
        }
    }

    /// <summary>A notice for every create, transition and details write made after the watch began.</summary>
    public async IAsyncEnumerable<JobChanged> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<JobChanged>();
        lock (_gate)
        {
            _watchers.Add(channel);
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
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    private void Notify(JobRecord job)
    {
        Channel<JobChanged>[] targets;
        lock (_gate)
        {
            targets = [.. _watchers];
        }

        foreach (var watcher in targets)
        {
            watcher.Writer.TryWrite(new JobChanged(job.Id, job.Version));
        }
    }
}
