using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Domain;
using Specific.Jobs.Observability;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Flow;

/// <summary>
/// The embedded (<c>--sandbox</c>) runner: runs <see cref="JobFlow"/> in this process with direct activity calls,
/// one flow per job. As a hosted service it re-attaches on start to every job that has not ended, and on stop it
/// stops following without recording anything, so the next start picks the jobs up again.
/// </summary>
public sealed partial class InProcessJobRunner(
    IServiceScopeFactory scopes,
    IJobStore jobs,
    TimeProvider time,
    ILogger<InProcessJobRunner> logger) : IJobLauncher, IHostedService, IAsyncDisposable
{
    /// <summary>How many unfinished jobs a start re-attaches to at most.</summary>
    public const int MaxReattached = 10_000;

    private readonly ConcurrentDictionary<string, RunningFlow> _flows = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;

    /// <summary>
    /// Re-attaches to every job that has not ended: pending ones start, queued and running ones resume, and those with a
    /// recorded cancel are launched cancelled (their Kubernetes Job deleted, nothing started).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var unfinished = await jobs.ListAsync(new JobQuery(UnfinishedOnly: true, Limit: MaxReattached), cancellationToken);
        foreach (var job in unfinished)
        {
            if (job.CancelRequestedAt is not null)
            {
                // A cancel someone was told about, recorded before a crash: deliver it now.
                LogResumingCancelled(job.Id, job.State.ToWire(), job.CancelRequestedBy);
                TryLaunch(RunJobInput.For(job, resuming: job.State != JobState.Pending), cancelled: true);
            }
            else if (job.State == JobState.Pending)
            {
                await StartAsync(job, cancellationToken);
            }
            else
            {
                LogResuming(job.Id, job.State.ToWire());
                TryLaunch(RunJobInput.For(job, resuming: true));
            }
        }
    }

    /// <summary>Stops following every job without recording anything; the Kubernetes Jobs run on.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed))
        {
            // A host may stop after its container was disposed (a test host torn down): nothing runs any more.
            return;
        }

        await _stopping.CancelAsync();
        var running = _flows.Values.Select(flow => flow.Completion).ToArray();
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout won; the flows end with the process.
        }
    }

    /// <summary>Starts the flow for a job and records it queued; a job that already has a flow here is left to it.</summary>
    public async Task StartAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_flows.ContainsKey(job.Id))
        {
            LogAlreadyStarted(job.Id);
            return;
        }

        // Queued first: should the process die right after, a restart resumes a queued job.
        var queued = await jobs.TryTransitionAsync(
            job.Id, JobState.Pending, new JobTransition(JobState.Queued, time.GetUtcNow()), cancellationToken);
        if (!queued.Applied && queued.Job is { } current && current.State.IsFinal())
        {
            LogAlreadyEnded(job.Id, current.State.ToWire());
            return;
        }

        TryLaunch(RunJobInput.For(job));
    }

    /// <summary>
    /// Cancels the job's flow, which deletes the Kubernetes Job and records cancelled. A job with no flow here is
    /// given one that starts cancelled, so it still ends recorded (and deleted, if it may have been created).
    /// </summary>
    public async Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        if (_flows.TryGetValue(jobId, out var flow))
        {
            await flow.Cancellation.CancelAsync();
            return;
        }

        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null || job.State.IsFinal())
        {
            return;
        }

        var resuming = job.State != JobState.Pending;
        if (TryLaunch(RunJobInput.For(job, resuming), cancelled: true) is null && _flows.TryGetValue(jobId, out flow))
        {
            await flow.Cancellation.CancelAsync();
        }
    }

    /// <summary>Running, completed (with the state recorded), stopped, failed, or unknown to this process.</summary>
    public Task<FlowDescription> DescribeAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!_flows.TryGetValue(jobId, out var flow))
        {
            return Task.FromResult(new FlowDescription(jobId, FlowStatus.Unknown));
        }

        var completion = flow.Completion;
        var description = completion.IsCompleted switch
        {
            false => new FlowDescription(jobId, FlowStatus.Running),
            true when completion.Result is { } result =>
                new FlowDescription(jobId, FlowStatus.Completed, result.State.ToWire()),
            true when flow.Failure is { } failure => new FlowDescription(jobId, FlowStatus.Failed, failure),
            true => new FlowDescription(jobId, FlowStatus.Stopped),
        };
        return Task.FromResult(description);
    }

    /// <summary>The flow of a job in this process, to wait on (tests, shutdown); null when there is none.</summary>
    public Task<JobFlowResult?>? FlowOf(string jobId) => _flows.TryGetValue(jobId, out var flow) ? flow.Completion : null;

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None);
        }

        foreach (var flow in _flows.Values)
        {
            flow.Cancellation.Dispose();
        }

        _stopping.Dispose();
        Volatile.Write(ref _disposed, true);
    }

    /// <summary>Launches a flow unless the job has one; returns it, or null when another was there first.</summary>
    private RunningFlow? TryLaunch(RunJobInput input, bool cancelled = false)
    {
        var cancellation = new CancellationTokenSource();
        if (cancelled)
        {
            cancellation.Cancel();
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flow = new RunningFlow(cancellation);
        flow.Completion = RunFlowAsync(input, flow, gate.Task);
        if (!_flows.TryAdd(input.JobId, flow))
        {
            LogAlreadyStarted(input.JobId);
            gate.SetCanceled();
            cancellation.Dispose();
            return null;
        }

        gate.SetResult();
        return flow;
    }

    /// <summary>Runs one flow to its end; never throws, so shutdown can wait on every flow at once.</summary>
    private async Task<JobFlowResult?> RunFlowAsync(RunJobInput input, RunningFlow flow, Task admitted)
    {
        try
        {
            await admitted;
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        // Off the caller's stack: StartAsync returns once the flow is launched, not once it ends.
        await Task.Yield();
        using var logScope = JobLogScope.Begin(logger, input.JobId);
        using var span = JobTracing.StartStep("flow", input.JobId);
        await using var scope = scopes.CreateAsyncScope();
        var activities = scope.ServiceProvider.GetRequiredService<JobActivities>();
        var steps = new DirectJobFlowSteps(activities, time, logger, _stopping.Token);
        try
        {
            var result = await JobFlow.RunAsync(input, steps, flow.Cancellation.Token);
            LogEnded(input.JobId, result.State.ToWire(), result.Recorded);
            return result;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            LogStopped(input.JobId);
            return null;
        }
        catch (Exception failure)
        {
            LogFlowFailed(failure, input.JobId);
            flow.Failure = failure.Message;
            return null;
        }
    }

    private sealed class RunningFlow(CancellationTokenSource cancellation)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task<JobFlowResult?> Completion { get; set; } = Task.FromResult<JobFlowResult?>(null);

        /// <summary>Why the flow ended without an outcome (it could not record one), if it did.</summary>
        public string? Failure { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the flow of job {JobId} ({State})")]
    private partial void LogResuming(string jobId, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelling job {JobId} ({State}) on start: {UserId}'s cancel was recorded before the restart")]
    private partial void LogResumingCancelled(string jobId, string state, string? userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} already has a flow; not starting another")]
    private partial void LogAlreadyStarted(string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} has already ended ({State}); no flow started")]
    private partial void LogAlreadyEnded(string jobId, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "The flow of job {JobId} ended: {State} (recorded by it: {Recorded})")]
    private partial void LogEnded(string jobId, string state, bool recorded);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped following job {JobId}; the next start resumes it")]
    private partial void LogStopped(string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The flow of job {JobId} failed")]
    private partial void LogFlowFailed(Exception failure, string jobId);
}

/// <summary>The statuses a launcher reports in <see cref="FlowDescription.Status"/>.</summary>
public static class FlowStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Terminated = "terminated";
    public const string TimedOut = "timed-out";
    public const string Stopped = "stopped";
    public const string Unknown = "unknown";
}
