using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Kubernetes;

/// <summary>
/// One follow of one Job: watches the Job and its pod (list, then watch from resourceVersion, again from the last
/// version when a stream ends, and list again on 410 Gone), follows the pod's log, and decides how the Job ended. Every fact goes through one channel, so the
/// observer is called from one place, in order.
/// </summary>
internal sealed partial class JobFollow(
    IKubernetes client,
    FollowRequest request,
    IFollowObserver observer,
    KubernetesJobsOptions options,
    TimeProvider time,
    ILogger logger)
{
    private abstract record Signal;
    private sealed record JobsListed(IReadOnlyList<V1Job> Jobs) : Signal;
    private sealed record JobChanged(WatchEventType Type, V1Job Job) : Signal;
    private sealed record PodsListed(IReadOnlyList<V1Pod> Pods) : Signal;
    private sealed record PodChanged(WatchEventType Type, V1Pod Pod) : Signal;
    private sealed record LogLineRead(LogLine Line, int LinesAtTimestamp) : Signal;
    private sealed record LogFinished : Signal;
    private sealed record Fatal(string Reason) : Signal;

    private readonly Channel<Signal> _signals = Channel.CreateBounded<Signal>(
        new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly string _ns = request.Namespace;
    private V1Job? _job;
    private bool _jobListed;
    private bool _jobGone;
    private V1Pod? _pod;
    private string? _podName;
    private bool _podGone;

    private FollowCheckpoint _checkpoint = request.Checkpoint;
    private readonly List<LogLine> _batch = [];
    private DateTimeOffset? _batchDue;
    private int _batchLinesAtTimestamp;

    private Task? _logTask;
    private bool _logFinished;
    private JobEnd? _end;
    private DateTimeOffset? _drainDeadline;

    private DateTimeOffset _nextPendingCheck;
    private DateTimeOffset? _recheckAt;
    private readonly PodStartCheck _startCheck = new(client, request, options, time.GetUtcNow(), logger);
    private readonly PodLogFollower _log = new(client, request, options, time, logger);
    private readonly ResourceWatch _watch = new(request, options, time, logger);

    public async Task<JobEnd> RunAsync(CancellationToken cancellationToken)
    {
        using var background = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchers = new[]
        {
            _watch.RunAsync<V1Job, Signal>(
                KubernetesApiCalls.ListJobs,
                async ct => (await client.BatchV1.ListNamespacedJobAsync(_ns, labelSelector: JobLabels.SelectorFor(request.JobId), cancellationToken: ct)) is var list
                    ? (list.Items.Where(IsOurs).ToList(), list.Metadata?.ResourceVersion) : default,
                (rv, onError, ct) => client.BatchV1.WatchListNamespacedJobAsync(
                    _ns, labelSelector: JobLabels.SelectorFor(request.JobId), resourceVersion: rv,
                    allowWatchBookmarks: true, timeoutSeconds: options.WatchTimeoutSeconds, onError: onError, cancellationToken: ct),
                items => new JobsListed(items),
                (type, job) => IsOurs(job) ? new JobChanged(type, job) : null,
                reason => new Fatal(reason),
                _signals.Writer,
                background.Token),
            _watch.RunAsync<V1Pod, Signal>(
                KubernetesApiCalls.ListPods,
                async ct => (await client.CoreV1.ListNamespacedPodAsync(_ns, labelSelector: JobLabels.SelectorFor(request.JobId), cancellationToken: ct)) is var list
                    ? (list.Items.Where(IsOurs).ToList(), list.Metadata?.ResourceVersion) : default,
                (rv, onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(
                    _ns, labelSelector: JobLabels.SelectorFor(request.JobId), resourceVersion: rv,
                    allowWatchBookmarks: true, timeoutSeconds: options.WatchTimeoutSeconds, onError: onError, cancellationToken: ct),
                items => new PodsListed(items),
                (type, pod) => IsOurs(pod) ? new PodChanged(type, pod) : null,
                reason => new Fatal(reason),
                _signals.Writer,
                background.Token),
        };

        try
        {
            _nextPendingCheck = time.GetUtcNow();
            while (true)
            {
                await WaitForSignalAsync(cancellationToken);
                while (_signals.Reader.TryRead(out var signal))
                {
                    if (signal is LogLineRead line)
                    {
                        await AddToBatchAsync(line, cancellationToken);
                        continue;
                    }
                    if (signal is Fatal fatal)
                        _end ??= new JobEnd(false, null, fatal.Reason);
                    Apply(signal);
                }

                if (_batchDue is { } due && time.GetUtcNow() >= due)
                    await FlushAsync(cancellationToken);

                if (_end is null)
                {
                    await ReportStartAsync(background.Token, cancellationToken);
                    _end = await DecideAsync(cancellationToken);
                    if (_end is not null && _logTask is null)
                        await ReportStartAsync(background.Token, cancellationToken); // ended before its pod was seen running: still read its log
                    if (_end is not null && _logTask is not null)
                        _drainDeadline = time.GetUtcNow() + options.LogDrainTimeout;
                }

                if (_end is not null && (_logTask is null || _logFinished || time.GetUtcNow() >= _drainDeadline))
                {
                    if (_logTask is not null && !_logFinished)
                        LogDrainGaveUp(logger, request.JobName, options.LogDrainTimeout);
                    await FlushAsync(cancellationToken);
                    return _end with { Ran = CommandStarted() ? ContainerTimes.Ran(Container()) : null };
                }
            }
        }
        finally
        {
            await background.CancelAsync();
            foreach (var task in watchers.Append(_logTask ?? Task.CompletedTask))
            {
                try
                {
                    await task;
                }
                catch (Exception e) when (e is OperationCanceledException || background.IsCancellationRequested)
                {
                    // Stopped because the follow ended; a stream cut short by that may fail in its own way.
                }
            }
        }
    }

    private bool IsOurs(V1Job job) => job.Metadata?.Name == request.JobName;

    private bool IsOurs(V1Pod pod)
    {
        string? id = null;
        pod.Metadata?.Labels?.TryGetValue(JobLabels.JobId, out id);
        return id == request.JobId;
    }

    private async Task WaitForSignalAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = time.GetUtcNow();
        // While the command runs only the watches and the log have news; before it starts, timers matter too.
        DateTimeOffset? wake = _end is not null ? _drainDeadline ?? now : CommandStarted() ? null : _nextPendingCheck;
        if (_batchDue is { } due && (wake is null || due < wake))
            wake = due;
        if (_end is null && _recheckAt is { } recheck && (wake is null || recheck < wake))
            wake = recheck;
        var wait = wake is { } at ? at - now : Timeout.InfiniteTimeSpan;
        if (wait != Timeout.InfiniteTimeSpan && wait <= TimeSpan.Zero)
            return;

        using var timeout = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _signals.Reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Woke up to check timers.
        }
    }

    private void Apply(Signal signal)
    {
        switch (signal)
        {
            case JobsListed listed:
                var job = listed.Jobs.FirstOrDefault();
                if (job is null && (_job is not null || !_jobListed))
                    _jobGone = true;
                _job = job ?? _job;
                _jobListed = true;
                break;
            case JobChanged { Type: WatchEventType.Deleted }:
                _jobGone = true;
                break;
            case JobChanged changed:
                _job = changed.Job;
                break;
            case PodsListed listed:
                var pod = listed.Pods.OrderBy(p => p.Metadata?.CreationTimestamp).LastOrDefault();
                if (pod is null && _pod is not null)
                    _podGone = true;
                else if (pod is not null)
                    SetPod(pod);
                break;
            case PodChanged { Type: WatchEventType.Deleted } changed when changed.Pod.Metadata?.Name == _podName:
                _pod = changed.Pod;
                _podGone = true;
                break;
            case PodChanged { Type: WatchEventType.Added or WatchEventType.Modified } changed:
                if (_podName is null || changed.Pod.Metadata?.Name == _podName)
                    SetPod(changed.Pod);
                break;
            case LogFinished:
                _logFinished = true;
                break;
        }
    }

    private void SetPod(V1Pod pod)
    {
        _pod = pod;
        _podName = pod.Metadata?.Name;
        _podGone = false;
    }

    private V1ContainerStatus? Container() =>
        _pod?.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == request.Container)
        ?? _pod?.Status?.ContainerStatuses?.FirstOrDefault();

    // The command started when the container runs or ended on its own (not when it failed to start at all).
    private bool CommandStarted()
    {
        var state = Container()?.State;
        if (state?.Running is not null)
            return true;
        return state?.Terminated is { } t && t.Reason is not ("StartError" or "ContainerCannotRun")
            && !PodDiagnosis.IsMissingShell(t.Reason, t.Message);
    }

    private async Task ReportStartAsync(CancellationToken background, CancellationToken cancellationToken)
    {
        if (_podName is null || _logTask is not null || !CommandStarted())
            return;

        if (!_checkpoint.Running)
        {
            var status = Container();
            var image = status?.Image is { Length: > 0 } reported && status.ImageID is { Length: > 0 }
                ? PodDiagnosis.ImageWithDigest(SpecImage() ?? reported, status.ImageID)
                : SpecImage();
            await observer.OnRunningAsync(image, ContainerTimes.StartedAt(status), cancellationToken);
            _checkpoint = _checkpoint with { Running = true };
            observer.OnProgress(_checkpoint);
        }

        var podName = _podName;
        _logTask = Task.Run(() => FollowLogAsync(podName, background), background);
    }

    private string? SpecImage() =>
        _pod?.Spec?.Containers?.FirstOrDefault(c => c.Name == request.Container)?.Image;

    private async Task<JobEnd?> DecideAsync(CancellationToken cancellationToken)
    {
        if (_jobGone)
            return new JobEnd(false, null, PodDiagnosis.JobDeletedReason(request.JobName));

        var failed = _job?.Status?.Conditions?.FirstOrDefault(c => c.Type is "Failed" or "FailureTarget" && c.Status == "True");
        if (failed?.Reason == "DeadlineExceeded")
            return new JobEnd(false, null, PodDiagnosis.DeadlineReason(_job?.Spec?.ActiveDeadlineSeconds));

        var complete = _job?.Status?.Conditions?.Any(c => c.Type is "Complete" or "SuccessCriteriaMet" && c.Status == "True") == true;
        // The Job's watch can report the end before the pod's watch shows the pod: read the pod for its exit code and log.
        if ((failed is not null || complete) && Container()?.State?.Terminated is null)
            await RefreshPodAsync(cancellationToken);

        var ended = PodDiagnosis.EndOf(_pod, Container(), SpecImage());
        if (ended is { Succeeded: true })
            return ended;

        if (_podGone || _pod?.Metadata?.DeletionTimestamp is not null)
        {
            // The Job controller deletes the pod of a Job that ran out of time, and its Failed condition may come a
            // moment after; wait for it briefly, so the reason is the deadline and not a killed pod's exit code.
            var now = time.GetUtcNow();
            var waited = _startCheck.Persisted("pod-deleted", now);
            if (failed is null && waited < options.PodDeletionGrace)
            {
                _recheckAt = now + options.PodDeletionGrace - waited;
                return null;
            }
            return new JobEnd(false, null, PodDiagnosis.PodDeletedReason(_podName ?? request.JobName));
        }
        if (ended is not null)
            return ended;

        if (failed is not null)
            return new JobEnd(false, null, $"The Kubernetes Job failed ({failed.Reason}{(string.IsNullOrWhiteSpace(failed.Message) ? "" : ": " + failed.Message)}).");

        if (complete)
            return new JobEnd(true, 0, null);

        if (CommandStarted())
            return null;

        var at = time.GetUtcNow();
        if (at < _nextPendingCheck)
            return null;
        _nextPendingCheck = at + options.PendingCheckInterval;
        return await _startCheck.CheckAsync(_job, _pod, _podName, Container(), SpecImage(), at, cancellationToken);
    }

    private async Task RefreshPodAsync(CancellationToken cancellationToken)
    {
        if (_podName is null)
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync(_ns, labelSelector: JobLabels.SelectorFor(request.JobId), cancellationToken: cancellationToken);
            if (pods.Items.Where(IsOurs).OrderBy(p => p.Metadata?.CreationTimestamp).LastOrDefault() is { } listed)
                SetPod(listed);
            return;
        }
        try
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(_podName, _ns, cancellationToken: cancellationToken);
            SetPod(pod);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            _podGone = true;
        }
    }

    private async Task AddToBatchAsync(LogLineRead read, CancellationToken cancellationToken)
    {
        _batch.Add(read.Line);
        _batchLinesAtTimestamp = read.LinesAtTimestamp;
        _batchDue ??= time.GetUtcNow() + options.LogBatchMaxDelay;
        if (_batch.Count >= options.LogBatchMaxLines)
            await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        _batchDue = null;
        if (_batch.Count == 0)
            return;
        var lines = _batch.ToArray();
        _batch.Clear();
        await observer.OnLogLinesAsync(lines, cancellationToken);
        var last = lines[^1];
        _checkpoint = _checkpoint with { LastLogLine = last.Number, LastLogTimestamp = last.Timestamp, LinesAtLastTimestamp = _batchLinesAtTimestamp };
        observer.OnProgress(_checkpoint);
    }

    /// <summary>Follows the pod's log to its end through <see cref="PodLogFollower"/>, then says the log is finished.</summary>
    private async Task FollowLogAsync(string podName, CancellationToken cancellationToken)
    {
        await _log.FollowAsync(
            podName,
            new LogCursor(_checkpoint),
            (line, linesAtTimestamp, ct) => _signals.Writer.WriteAsync(new LogLineRead(line, linesAtTimestamp), ct),
            cancellationToken);
        await _signals.Writer.WriteAsync(new LogFinished(), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up waiting for the rest of {JobName}'s log after {Timeout}")]
    private static partial void LogDrainGaveUp(ILogger logger, string jobName, TimeSpan timeout);
}
