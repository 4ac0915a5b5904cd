using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Tests.Commands.Host;

/// <summary>A job store in memory, with the real lifecycle rules, for front door tests.</summary>
public sealed class InMemoryJobStore : IJobStore
{
    private readonly ConcurrentDictionary<string, JobRecord> _jobs = new();

    public IReadOnlyList<JobRecord> All => _jobs.Values.OrderBy(j => j.CreatedAt).ToList();

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
        _jobs[job.Id] = job;
        return Task.FromResult(job);
    }

    public JobRecord Add(JobRecord job)
    {
        _jobs[job.Id] = job;
        return job;
    }

    public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        Task.FromResult(_jobs.GetValueOrDefault(jobId));

    public Task<TransitionResult> TryTransitionAsync(string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
    {
        lock (_jobs)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
            {
                return Task.FromResult(new TransitionResult(false, null));
            }

            if (!JobLifecycle.CanMove(expected, transition.To))
            {
                throw new InvalidTransitionException(expected, transition.To);
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
            _jobs[jobId] = moved;
            return Task.FromResult(new TransitionResult(true, moved));
        }
    }

    public Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The front door records no details.");

    public Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<JobRecord>>(_jobs.Values
            .Where(j => query.Service is null || j.Service == query.Service)
            .Where(j => !query.UnfinishedOnly || !j.State.IsFinal())
            .OrderByDescending(j => j.CreatedAt)
            .Take(query.Limit)
            .ToList());

    public async IAsyncEnumerable<JobChanged> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        yield break;
    }
}

/// <summary>Log lines in memory.</summary>
public sealed class InMemoryLogStore : ILogStore
{
    private readonly ConcurrentDictionary<string, List<LogLine>> _lines = new();

    public void Write(string jobId, params string[] texts)
    {
        var lines = _lines.GetOrAdd(jobId, _ => []);
        foreach (var text in texts)
        {
            lines.Add(new LogLine(lines.Count + 1, DateTimeOffset.UtcNow, LogStream.Output, text));
        }
    }

    public Task AppendAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LogLine>>(Lines(jobId).Where(l => l.Number > afterNumber).Take(limit).ToList());

    public Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LogLine>>(Lines(jobId).TakeLast(count).ToList());

    public Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken) =>
        Task.FromResult(Lines(jobId).LastOrDefault()?.Number ?? 0);

    public async IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var line in Lines(jobId))
        {
            await Task.Yield();
            yield return line;
        }
    }

    private List<LogLine> Lines(string jobId) => _lines.GetValueOrDefault(jobId) ?? [];
}

/// <summary>Request keys in memory.</summary>
public sealed class InMemoryRequestLedger : IRequestLedger
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _keys = new();

    public Exception? FailWith { get; set; }

    public Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken) =>
        FailWith is null ? Task.FromResult(_keys.TryAdd(key, at)) : Task.FromException<bool>(FailWith);
}

/// <summary>A launcher that moves jobs to queued in the store, or fails when told to, and remembers cancels.</summary>
public sealed class RecordingLauncher(InMemoryJobStore store) : IJobLauncher
{
    public ConcurrentQueue<string> Started { get; } = new();
    public ConcurrentQueue<string> Cancelled { get; } = new();
    public Exception? FailStartWith { get; set; }

    public async Task StartAsync(JobRecord job, CancellationToken cancellationToken)
    {
        if (FailStartWith is not null)
        {
            throw FailStartWith;
        }

        var result = await store.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Queued, DateTimeOffset.UtcNow), cancellationToken);
        if (!result.Applied)
        {
            throw new InvalidOperationException($"Job {job.Id} was started twice.");
        }

        Started.Enqueue(job.Id);
    }

    public Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        Cancelled.Enqueue(jobId);
        return Task.CompletedTask;
    }

    public Task<FlowDescription> DescribeAsync(string jobId, CancellationToken cancellationToken) =>
        Task.FromResult(new FlowDescription(jobId, "unknown"));
}

/// <summary>The live Deployments of each environment, or a catalog that fails or stalls when told to.</summary>
public sealed class StubServiceCatalog : IServiceCatalog
{
    public Dictionary<string, string[]> Services { get; } = new()
    {
        ["production"] = ["api", "web", "worker"],
        ["staging"] = ["web", "web-canary"],
    };

    public Exception? FailWith { get; set; }
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public async Task<IReadOnlyList<string>> ListServicesAsync(string environment, CancellationToken cancellationToken)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        if (FailWith is not null)
        {
            throw FailWith;
        }

        return Services.GetValueOrDefault(environment) ?? [];
    }
}
