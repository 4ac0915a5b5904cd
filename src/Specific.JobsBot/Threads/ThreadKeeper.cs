using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Threads;

/// <summary>
/// Keeps each Slack-started job's message and thread current: one message per job (posted once, then updated), a
/// reply per state change, batched log excerpts, a final reply with the tail, and the full log as a file when the
/// excerpts could not show it all. Restart-safe through <see cref="IThreadStore"/>, one writer per thread through its
/// lease, and paced to Slack's limits.
/// </summary>
public sealed partial class ThreadKeeper : BackgroundService
{
    private readonly Lock _writersGate = new();
    private readonly Dictionary<string, JobThreadWriter> _writers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _settled = new(StringComparer.Ordinal);
    private readonly IJobStore _jobs;
    private readonly IThreadStore _threads;
    private readonly ThreadKeeperOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ThreadWriterServices _writerServices;
    private CancellationToken _stopping;

    public ThreadKeeper(
        IJobStore jobs,
        ILogStore logs,
        IThreadStore threads,
        SlackWebClient slack,
        JobMessageRenderer messages,
        ThreadReplyRenderer replies,
        IJobRedaction redaction,
        SlackPacer pacer,
        ThreadKeeperMetrics metrics,
        IOptions<ThreadKeeperOptions> options,
        TimeProvider time,
        ILogger<ThreadKeeper> logger,
        IOptions<Specific.Jobs.Logs.LogsOptions>? logsOptions = null,
        ChannelReach? reach = null,
        JobRequesters? requesters = null,
        IRequesterNotices? notices = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _jobs = jobs;
        _threads = threads;
        _options = options.Value;
        _time = time;
        _logger = logger;
        OwnerId = _options.OwnerId ?? $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        // Writers log under the keeper's category, and upload the full log capped as the Full log button's.
        _writerServices = new ThreadWriterServices(
            jobs, logs, threads, slack, messages, replies, redaction, pacer, metrics, _options, time, logger, OwnerId,
            (logsOptions?.Value ?? new Specific.Jobs.Logs.LogsOptions()).FullLogMaxBytes)
        {
            Reach = reach,
            Requesters = requesters,
            Notices = notices,
        };
    }

    /// <summary>This keeper's name in the lease table.</summary>
    public string OwnerId { get; }

    /// <summary>Asks the keeper to look at a job now (the watch and the sweep call this too).</summary>
    public void Notify(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        JobThreadWriter? started = null;
        lock (_writersGate)
        {
            if (_stopping.IsCancellationRequested || _settled.ContainsKey(jobId))
            {
                return;
            }
            if (_writers.TryGetValue(jobId, out var writer))
            {
                writer.Nudge();
                return;
            }
            started = new JobThreadWriter(_writerServices, jobId, WriterEnded);
            _writers[jobId] = started;
        }
        started.Start(_stopping);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lock (_writersGate)
        {
            _stopping = stoppingToken;
        }
        LogStarted(OwnerId);
        try
        {
            await Task.WhenAll(FollowChangesAsync(stoppingToken), SweepAsync(stoppingToken));
        }
        finally
        {
            Task[] running;
            lock (_writersGate)
            {
                running = _writers.Values.Select(writer => writer.Completion).ToArray();
            }
            // Writers see the same token; they release their leases on the way out so another replica takes over at once.
            await Task.WhenAll(running);
        }
    }

    private void WriterEnded(JobThreadWriter writer, bool settledForGood)
    {
        lock (_writersGate)
        {
            if (_writers.TryGetValue(writer.JobId, out var current) && ReferenceEquals(current, writer))
            {
                _writers.Remove(writer.JobId);
            }
            if (settledForGood)
            {
                _settled[writer.JobId] = _time.GetUtcNow();
            }
        }
    }

    private async Task FollowChangesAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _jobs.WatchAsync(stoppingToken))
                {
                    Notify(change.JobId);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The sweep covers what the watch misses while it reconnects.
                LogWatchFailed(exception);
            }
            await _time.DelayUnlessStoppedAsync(_options.InitialBackoff, stoppingToken);
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var jobId in await _threads.ListOpenAsync(stoppingToken))
                {
                    Notify(jobId);
                }
                var unfinished = await _jobs.ListAsync(new JobQuery(UnfinishedOnly: true, Limit: 500), stoppingToken);
                RecordWaiting(unfinished);
                foreach (var job in unfinished.Where(IsSlackJob))
                {
                    Notify(job.Id);
                }
                // A job that ended before any keeper saw it (no keeper running, a watch that missed it) has no thread
                // yet: recent ones are looked at too, and a writer posts their message. Settled ones are remembered
                // for as long as they count as recent, so each is looked at once.
                var since = _time.GetUtcNow() - RecentJobWindow;
                var recent = await _jobs.ListAsync(new JobQuery(Limit: 100), stoppingToken);
                foreach (var job in recent.Where(job => IsSlackJob(job) && job.State.IsFinal() && job.CreatedAt > since))
                {
                    Notify(job.Id);
                }
                ForgetOldSettled();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSweepFailed(exception);
            }
            await _time.DelayUnlessStoppedAsync(_options.SweepInterval, stoppingToken);
        }
    }

    /// <summary>How far back the sweep looks for ended jobs that never got a thread; settled jobs are remembered as long.</summary>
    internal static readonly TimeSpan RecentJobWindow = TimeSpan.FromHours(1);

    /// <summary>Jobs not yet running, for the stuck-jobs alert: the newest 500 unfinished are read, so the oldest of a larger backlog is missed.</summary>
    private void RecordWaiting(IReadOnlyList<JobRecord> unfinished)
    {
        var waiting = unfinished.Where(job => job.State is JobState.Pending or JobState.Queued).ToList();
        var oldest = waiting.Count == 0 ? TimeSpan.Zero : _time.GetUtcNow() - waiting.Min(job => job.CreatedAt);
        _writerServices.Metrics.Waiting(waiting.Count, oldest);
    }

    private void ForgetOldSettled()
    {
        var before = _time.GetUtcNow() - RecentJobWindow;
        lock (_writersGate)
        {
            foreach (var jobId in _settled.Where(entry => entry.Value < before).Select(entry => entry.Key).ToList())
            {
                _settled.Remove(jobId);
            }
        }
    }

    internal static bool IsSlackJob(JobRecord job) =>
        job.Origin.Client == JobOrigin.Slack && !string.IsNullOrEmpty(job.Origin.ChannelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread keeper {Owner} started")]
    private partial void LogStarted(string owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching job changes failed; resubscribing")]
    private partial void LogWatchFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping open threads failed; trying again next sweep")]
    private partial void LogSweepFailed(Exception exception);
}
