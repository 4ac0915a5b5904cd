using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Jobs.Observability;
using Specific.Jobs.Storage;
using Temporalio.Activities;
using Temporalio.Exceptions;

namespace Specific.Jobs.Flow;

/// <summary>
/// The flow's I/O: Kubernetes, the job store and the log store. The <c>[Activity]</c> methods are what Temporal runs;
/// each has an overload taking a token (and, for follow, a checkpoint sink) that the in-process runner calls directly.
/// </summary>
public sealed partial class JobActivities(
    IJobStore jobs,
    ILogStore logs,
    IKubernetesJobs kubernetes,
    IOptions<EnvironmentsOptions> environments,
    TimeProvider time,
    ILogger<JobActivities> logger,
    IOptions<LogsOptions>? logsOptions = null,
    JobMetrics? metrics = null)
{
    // With Logs:Source otel_logs a collector ships the pod's log; the follow then stores no line of its own.
    private readonly bool _storesLines = logsOptions?.Value.ReadsOtelLogs != true;
    private readonly KubernetesJobCreation _creation = new(jobs, kubernetes, time, logger);

    /// <summary>
    /// How often a follow heartbeats even when nothing happens. Temporal delivers a cancel only in answer to a
    /// heartbeat, so this bounds how long a cancel takes to reach the follow; well inside the heartbeat timeout.
    /// </summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    private JobMetrics? Metrics => metrics;

    [Activity(JobTemporal.PrepareActivity)]
    public Task<PrepareJobResult> PrepareAsync(RunJobInput input) =>
        AsActivityAsync(cancellation => PrepareAsync(input, cancellation));

    /// <summary>
    /// Builds the Job from the live Deployment and records where it will run, or says the job has already ended.
    /// Nothing is created in Kubernetes.
    /// </summary>
    public Task<PrepareJobResult> PrepareAsync(RunJobInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StepAsync("prepare", input.JobId, () => PrepareCoreAsync(input, cancellationToken));
    }

    private async Task<PrepareJobResult> PrepareCoreAsync(RunJobInput input, CancellationToken cancellationToken)
    {
        var job = await GetJobAsync(input.JobId, cancellationToken);
        if (job.State.IsFinal())
        {
            return new PrepareJobResult(null, job.State);
        }

        var request = new PrepareJobRequest(
            input.JobId, input.Service, input.Environment, NamespaceOf(input.Environment), input.Command)
        {
            ActiveDeadlineSeconds = input.Timeout is { } limit ? JobTimeouts.ToSeconds(limit) : null,
        };
        var prepared = await kubernetes.PrepareAsync(request, cancellationToken);
        await jobs.AddDetailsAsync(
            input.JobId,
            new JobDetails(prepared.JobName, prepared.Namespace, prepared.Image, prepared.Notes),
            cancellationToken);
        return new PrepareJobResult(prepared);
    }

    [Activity(JobTemporal.CreateActivity)]
    public Task CreateAsync(PreparedJob job) =>
        AsActivityAsync(async cancellation =>
        {
            await CreateAsync(job, cancellation);
            return true;
        });

    /// <summary>Creates the Job once: a resumed or retried create finds the Job it made, or fails when it is gone.</summary>
    public Task CreateAsync(PreparedJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return StepAsync("create", job.JobId, async () =>
        {
            await _creation.CreateOnceAsync(job, cancellationToken);
            return true;
        });
    }

    /// <summary>
    /// Follows the Job to its end under Temporal: resumes from the last attempt's heartbeat (or the log store), and
    /// heartbeats every checkpoint so the next attempt can resume. Without an activity context it runs unattended.
    /// </summary>
    [Activity(JobTemporal.FollowActivity)]
    public async Task<JobEnd> FollowAsync(FollowJobInput input)
    {
        if (!ActivityExecutionContext.HasCurrent)
        {
            return await FollowAsync(input, resumeFrom: null, heartbeat: _ => { }, CancellationToken.None);
        }

        var context = ActivityExecutionContext.Current;
        var resumeFrom = await LastHeartbeatAsync(context);
        return await AsActivityAsync(cancellation =>
            FollowAsync(input, resumeFrom, checkpoint => context.Heartbeat(checkpoint), cancellation));
    }

    private async Task<FollowCheckpoint?> LastHeartbeatAsync(ActivityExecutionContext context)
    {
        if (context.Info.HeartbeatDetails.Count == 0)
        {
            return null;
        }

        try
        {
            return await context.Info.HeartbeatDetailAtAsync<FollowCheckpoint>(0);
        }
        catch (Exception unreadable) when (unreadable is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
        {
            // A checkpoint this version cannot read is no reason to fail: the log store knows where to resume.
            LogUnreadableHeartbeat(unreadable, context.Info.ActivityId);
            return null;
        }
    }

    /// <summary>
    /// Follows the Job to its end: records running when the container starts, appends every log line, and reports
    /// each checkpoint to <paramref name="heartbeat"/> (also every <see cref="HeartbeatInterval"/>). Starts from
    /// <paramref name="resumeFrom"/>, or from what the log store holds when that is ahead or absent.
    /// </summary>
    public Task<JobEnd> FollowAsync(
        FollowJobInput input,
        FollowCheckpoint? resumeFrom,
        Action<FollowCheckpoint> heartbeat,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(heartbeat);
        return StepAsync("follow", input.JobId, () => FollowCoreAsync(input, resumeFrom, heartbeat, cancellationToken));
    }

    private async Task<JobEnd> FollowCoreAsync(
        FollowJobInput input, FollowCheckpoint? resumeFrom, Action<FollowCheckpoint> heartbeat, CancellationToken cancellationToken)
    {
        var checkpoint = await ResumePointAsync(input.JobId, resumeFrom, cancellationToken);
        LogFollowing(input.JobId, checkpoint.LastLogLine);
        var observer = new FollowObserver(this, input.JobId, checkpoint, heartbeat);
        heartbeat(checkpoint);

        using var running = observer;
        using var stopBeating = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var beating = HeartbeatUntilStoppedAsync(observer, stopBeating.Token);
        try
        {
            var request = new FollowRequest(input.JobId, input.Namespace, input.JobName, input.Container, checkpoint)
            {
                Environment = input.Environment,
            };
            return await kubernetes.FollowAsync(request, observer, cancellationToken);
        }
        finally
        {
            await stopBeating.CancelAsync();
            await beating;
        }
    }

    [Activity(JobTemporal.DeleteActivity)]
    public Task DeleteAsync(DeleteJobInput input) =>
        AsActivityAsync(async cancellation =>
        {
            await DeleteAsync(input, cancellation);
            return true;
        });

    /// <summary>Deletes the job's Kubernetes Job (propagation Background); one already gone is not an error.</summary>
    public Task DeleteAsync(DeleteJobInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StepAsync("delete", input.JobId, async () =>
        {
            await kubernetes.DeleteAsync(NamespaceOf(input.Environment), JobIds.KubernetesJobName(input.JobId), cancellationToken);
            return true;
        });
    }

    [Activity(JobTemporal.RecordActivity)]
    public Task<RecordOutcomeResult> RecordAsync(RecordOutcomeInput input) =>
        AsActivityAsync(cancellation => RecordAsync(input, cancellation));

    /// <summary>Records the flow's end; a job another writer has already ended is left as it is.</summary>
    public Task<RecordOutcomeResult> RecordAsync(RecordOutcomeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StepAsync("record", input.JobId, () => RecordCoreAsync(input, cancellationToken));
    }

    private async Task<RecordOutcomeResult> RecordCoreAsync(RecordOutcomeInput input, CancellationToken cancellationToken)
    {
        var transition = new JobTransition(input.To, input.Ran?.FinishedAt ?? time.GetUtcNow(), input.ExitCode, input.FailureReason);
        var result = await MoveAsync(input.JobId, transition, cancellationToken, input.Ran?.StartedAt);
        if (!result.Applied)
        {
            LogLostRace(input.JobId, input.To.ToWire(), result.State.ToWire());
        }

        return result;
    }

    /// <summary>
    /// Moves the job to <paramref name="transition"/>.To by compare-and-set from the state it is in. A flow can be
    /// ahead of the bookkeeping (started before queued was recorded, or a command over before running was seen), so
    /// the states in between are recorded on the way.
    /// </summary>
    internal async Task<RecordOutcomeResult> MoveAsync(
        string jobId, JobTransition transition, CancellationToken cancellationToken, DateTimeOffset? runningAt = null)
    {
        // Each lost compare-and-set means another writer moved the job: look again. The lifecycle is short, so a
        // handful of rounds is plenty.
        for (var round = 0; round < 8; round++)
        {
            var job = await GetJobAsync(jobId, cancellationToken);
            if (job.State.IsFinal() || job.State == transition.To)
            {
                return new RecordOutcomeResult(false, job.State);
            }

            // The pod's times are to the second: never before the state the job is in was entered.
            var entered = job.EnteredAt(job.State) ?? job.CreatedAt;
            if (NextStep(job.State, transition with { At = Later(transition.At, entered) }, Later(runningAt ?? transition.At, entered)) is not { } next)
            {
                return new RecordOutcomeResult(false, job.State);
            }

            var moved = await jobs.TryTransitionAsync(jobId, job.State, next, cancellationToken);
            if (moved.Applied && next.To == transition.To)
            {
                return new RecordOutcomeResult(true, next.To);
            }
        }

        throw new InvalidOperationException($"Job {jobId} kept changing while being moved to {transition.To.ToWire()}.");
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static JobTransition? NextStep(JobState from, JobTransition target, DateTimeOffset runningAt)
    {
        if (JobLifecycle.CanMove(from, target.To))
        {
            return target;
        }

        return (from, target.To) switch
        {
            (JobState.Pending, JobState.Running or JobState.Succeeded) => new JobTransition(JobState.Queued, target.At),
            (JobState.Queued, JobState.Succeeded) => new JobTransition(JobState.Running, runningAt),
            _ => null,
        };
    }

    private async Task<JobRecord> GetJobAsync(string jobId, CancellationToken cancellationToken) =>
        await jobs.GetAsync(jobId, cancellationToken)
        ?? throw new JobRejectedException($"Job {jobId} is not in the job store.", RejectionKinds.UnknownJob);

    /// <summary>The namespace of an environment: its configured one, or, for the default one, its own name.</summary>
    private string NamespaceOf(string environment)
    {
        var options = environments.Value;
        var target = options.Find(environment);
        if (target is null && environment != options.Default && environment != "production")
        {
            throw new JobRejectedException($"Environment `{environment}` is not configured.", RejectionKinds.UnknownEnvironment);
        }

        return string.IsNullOrEmpty(target?.Namespace) ? environment : target.Namespace;
    }

    private async Task RecordRunningAsync(string jobId, string? image, DateTimeOffset? startedAt, CancellationToken cancellationToken)
    {
        if (image is not null)
        {
            await jobs.AddDetailsAsync(jobId, new JobDetails(Image: image), cancellationToken);
        }

        // The container's own start, not when this write finally went through.
        await MoveAsync(jobId, new JobTransition(JobState.Running, startedAt ?? time.GetUtcNow()), cancellationToken);
    }

    private Task AppendLinesAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken) =>
        _storesLines ? logs.AppendAsync(jobId, lines, cancellationToken) : Task.CompletedTask;

    private async Task<FollowCheckpoint> ResumePointAsync(
        string jobId, FollowCheckpoint? heartbeat, CancellationToken cancellationToken)
    {
        var job = await GetJobAsync(jobId, cancellationToken);
        var running = job.State == JobState.Running || heartbeat?.Running == true;
        var stored = _storesLines ? await StoredCheckpointAsync(jobId, cancellationToken) : null;

        // The log store is written before a checkpoint is heartbeated, so it can only be ahead of the heartbeat.
        var resumeFrom = stored is not null && stored.LastLogLine > (heartbeat?.LastLogLine ?? 0)
            ? stored
            : heartbeat ?? new FollowCheckpoint();
        return resumeFrom with { Running = running };
    }

    /// <summary>Where the log store stands: its last line, and how many lines at its end share that line's timestamp.</summary>
    private async Task<FollowCheckpoint?> StoredCheckpointAsync(string jobId, CancellationToken cancellationToken)
    {
        for (var window = 64; ; window *= 8)
        {
            var tail = await logs.TailAsync(jobId, window, cancellationToken);
            if (tail.Count == 0)
            {
                return null;
            }

            var last = tail[^1];
            var atLastTimestamp = tail.Reverse().TakeWhile(line => line.Timestamp == last.Timestamp).Count();
            if (atLastTimestamp < tail.Count || tail.Count < window)
            {
                return new FollowCheckpoint(last.Number, last.Timestamp) { LinesAtLastTimestamp = atLastTimestamp };
            }
        }
    }

    private async Task HeartbeatUntilStoppedAsync(FollowObserver observer, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                observer.Beat();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The follow ended; so do the heartbeats.
        }
    }

    /// <summary>Runs one step of a job's flow in its span and its log scope, so both carry the job id.</summary>
    private async Task<T> StepAsync<T>(string step, string jobId, Func<Task<T>> body)
    {
        using var span = JobTracing.StartStep(step, jobId);
        using var scope = JobLogScope.Begin(logger, jobId);
        try
        {
            return await body();
        }
        catch (Exception exception)
        {
            span.Failed(exception);
            throw;
        }
    }

    /// <summary>Runs an activity body under Temporal's token, turning rejections into non-retryable failures.</summary>
    private static async Task<T> AsActivityAsync<T>(Func<CancellationToken, Task<T>> body)
    {
        var cancellation = ActivityExecutionContext.HasCurrent
            ? ActivityExecutionContext.Current.CancellationToken
            : CancellationToken.None;
        try
        {
            return await body(cancellation);
        }
        catch (JobRejectedException rejected)
        {
            throw new ApplicationFailureException(rejected.Message, rejected, errorType: rejected.Kind, nonRetryable: true);
        }
    }

    /// <summary>Turns what the adapter sees into durable records, and keeps the latest checkpoint for heartbeats.</summary>
    private sealed class FollowObserver(
        JobActivities activities, string jobId, FollowCheckpoint start, Action<FollowCheckpoint> heartbeat)
        : IFollowObserver, IDisposable
    {
        private FollowCheckpoint _latest = start;
        private IDisposable? _running;

        public Task OnRunningAsync(string? image, DateTimeOffset? startedAt, CancellationToken cancellationToken)
        {
            // Counted from the container's start until this follow ends, however often the adapter reports running.
            _running ??= activities.Metrics?.TrackRunning();
            return activities.RecordRunningAsync(jobId, image, startedAt, cancellationToken);
        }

        public Task OnLogLinesAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken) =>
            lines.Count == 0 ? Task.CompletedTask : activities.AppendLinesAsync(jobId, lines, cancellationToken);

        public void OnProgress(FollowCheckpoint checkpoint)
        {
            Volatile.Write(ref _latest, checkpoint);
            heartbeat(checkpoint);
        }

        public void Beat() => heartbeat(Volatile.Read(ref _latest));

        public void Dispose() => _running?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Following job {JobId} from log line {LastLogLine}")]
    private partial void LogFollowing(string jobId, long lastLogLine);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The heartbeat of follow activity {ActivityId} could not be read; resuming from the log store")]
    private partial void LogUnreadableHeartbeat(Exception unreadable, string activityId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} was not moved to {To}: it is {State} already")]
    private partial void LogLostRace(string jobId, string to, string state);
}
