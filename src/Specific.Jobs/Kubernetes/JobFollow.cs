using System.Net;
using System.Text;
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

    private readonly DateTimeOffset _followStarted = time.GetUtcNow();
    private DateTimeOffset _nextPendingCheck;
    private DateTimeOffset? _recheckAt;
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private IReadOnlyList<Corev1Event> _podEvents = [];

    public async Task<JobEnd> RunAsync(CancellationToken cancellationToken)
    {
        using var background = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchers = new[]
        {
            WatchAsync(
                KubernetesApiCalls.ListJobs,
                async ct => (await client.BatchV1.ListNamespacedJobAsync(_ns, labelSelector: JobLabels.SelectorFor(request.JobId), cancellationToken: ct).ConfigureAwait(false)) is var list
                    ? (list.Items.Where(IsOurs).ToList(), list.Metadata?.ResourceVersion) : default,
                (rv, onError, ct) => client.BatchV1.WatchListNamespacedJobAsync(
                    _ns, labelSelector: JobLabels.SelectorFor(request.JobId), resourceVersion: rv,
                    allowWatchBookmarks: true, timeoutSeconds: options.WatchTimeoutSeconds, onError: onError, cancellationToken: ct),
                items => new JobsListed(items),
                (type, job) => IsOurs(job) ? new JobChanged(type, job) : null,
                background.Token),
            WatchAsync(
                KubernetesApiCalls.ListPods,
                async ct => (await client.CoreV1.ListNamespacedPodAsync(_ns, labelSelector: JobLabels.SelectorFor(request.JobId), cancellationToken: ct).ConfigureAwait(false)) is var list
                    ? (list.Items.Where(IsOurs).ToList(), list.Metadata?.ResourceVersion) : default,
                (rv, onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(
                    _ns, labelSelector: JobLabels.SelectorFor(request.JobId), resourceVersion: rv,
                    allowWatchBookmarks: true, timeoutSeconds: options.WatchTimeoutSeconds, onError: onError, cancellationToken: ct),
                items => new PodsListed(items),
                (type, pod) => IsOurs(pod) ? new PodChanged(type, pod) : null,
                background.Token),
        };

        try
        {
            _nextPendingCheck = time.GetUtcNow();
            while (true)
            {
                await WaitForSignalAsync(cancellationToken).ConfigureAwait(false);
                while (_signals.Reader.TryRead(out var signal))
                {
                    if (signal is LogLineRead line)
                    {
                        await AddToBatchAsync(line, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    if (signal is Fatal fatal)
                        _end ??= new JobEnd(false, null, fatal.Reason);
                    Apply(signal);
                }

                if (_batchDue is { } due && time.GetUtcNow() >= due)
                    await FlushAsync(cancellationToken).ConfigureAwait(false);

                if (_end is null)
                {
                    await ReportStartAsync(background.Token, cancellationToken).ConfigureAwait(false);
                    _end = await DecideAsync(cancellationToken).ConfigureAwait(false);
                    if (_end is not null && _logTask is null)
                        await ReportStartAsync(background.Token, cancellationToken).ConfigureAwait(false); // ended before its pod was seen running: still read its log
                    if (_end is not null && _logTask is not null)
                        _drainDeadline = time.GetUtcNow() + options.LogDrainTimeout;
                }

                if (_end is not null && (_logTask is null || _logFinished || time.GetUtcNow() >= _drainDeadline))
                {
                    if (_logTask is not null && !_logFinished)
                        LogDrainGaveUp(logger, request.JobName, options.LogDrainTimeout);
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                    return _end with { Ran = CommandStarted() ? ContainerTimes.Ran(Container()) : null };
                }
            }
        }
        finally
        {
            await background.CancelAsync().ConfigureAwait(false);
            foreach (var task in watchers.Append(_logTask ?? Task.CompletedTask))
            {
                try
                {
                    await task.ConfigureAwait(false);
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
            await _signals.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
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
            await observer.OnRunningAsync(image, ContainerTimes.StartedAt(status), cancellationToken).ConfigureAwait(false);
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
            await RefreshPodAsync(cancellationToken).ConfigureAwait(false);

        var ended = EndedByPod();
        if (ended is { Succeeded: true })
            return ended;

        if (_podGone || _pod?.Metadata?.DeletionTimestamp is not null)
        {
            // The Job controller deletes the pod of a Job that ran out of time, and its Failed condition may come a
            // moment after; wait for it briefly, so the reason is the deadline and not a killed pod's exit code.
            var now = time.GetUtcNow();
            var waited = Persisted("pod-deleted", now);
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
        return await DiagnosePendingAsync(at, cancellationToken).ConfigureAwait(false);
    }

    private JobEnd? EndedByPod()
    {
        var status = Container();
        if (status?.State?.Terminated is { } terminated)
        {
            if (PodDiagnosis.IsMissingShell(terminated.Reason, terminated.Message))
                return new JobEnd(false, null, PodDiagnosis.NoShellReason);
            if (terminated.Reason is "StartError" or "ContainerCannotRun")
                return new JobEnd(false, null, PodDiagnosis.ContainerConfigReason(terminated.Reason, terminated.Message));
            if (terminated.ExitCode == 0)
                return new JobEnd(true, 0, null);
            if (terminated.Reason == "OOMKilled")
            {
                var limit = _pod?.Spec?.Containers?.FirstOrDefault(c => c.Name == status.Name)?.Resources?.Limits is { } limits
                    && limits.TryGetValue("memory", out var memory) ? memory.ToString() : null;
                return new JobEnd(false, terminated.ExitCode, PodDiagnosis.OutOfMemoryReason(terminated.ExitCode, limit));
            }
            return new JobEnd(false, terminated.ExitCode, PodDiagnosis.ExitedReason(terminated.ExitCode));
        }

        if (status?.State?.Waiting is { } waiting)
        {
            if (PodDiagnosis.IsMissingShell(waiting.Reason, waiting.Message))
                return new JobEnd(false, null, PodDiagnosis.NoShellReason);
            if (waiting.Reason == "InvalidImageName")
                return new JobEnd(false, null, PodDiagnosis.ImagePullReason(status.Image ?? SpecImage() ?? "?", waiting.Reason, waiting.Message));
        }

        if (_pod?.Status?.Phase == "Failed" && status?.State?.Terminated is null)
        {
            var reason = _pod.Status.Reason ?? "Failed";
            return new JobEnd(false, null, $"The pod failed before the command finished ({reason}{(string.IsNullOrWhiteSpace(_pod.Status.Message) ? "" : ": " + _pod.Status.Message)}).");
        }
        return null;
    }

    private async Task<JobEnd?> DiagnosePendingAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = Container();
        var waiting = status?.State?.Waiting;

        if (PodDiagnosis.IsImagePullFailure(waiting?.Reason))
        {
            if (Persisted("image", now) >= options.ImagePullGrace)
                return new JobEnd(false, null, PodDiagnosis.ImagePullReason(status!.Image ?? SpecImage() ?? "?", waiting!.Reason, waiting.Message));
        }
        else
        {
            _firstSeen.Remove("image");
        }

        if (waiting?.Reason is "CreateContainerConfigError" or "CreateContainerError" or "RunContainerError")
        {
            if (Persisted("config", now) >= options.ContainerConfigGrace)
                return new JobEnd(false, null, PodDiagnosis.ContainerConfigReason(waiting.Reason, waiting.Message));
        }
        else
        {
            _firstSeen.Remove("config");
        }

        if (_podName is not null)
        {
            _podEvents = await EventsOfAsync(_podName, cancellationToken).ConfigureAwait(false);
            var multiAttach = PodDiagnosis.MultiAttachReason(_pod!, _podEvents);
            if (multiAttach is not null)
                return new JobEnd(false, null, multiAttach);

            if (PodDiagnosis.IsUnschedulable(_pod, out var conditionMessage) && !PodDiagnosis.ScaleUpTriggered(_podEvents))
            {
                if (Persisted("unschedulable", now) >= options.UnschedulableGrace)
                    return new JobEnd(false, null, PodDiagnosis.UnschedulableReason(
                        PodDiagnosis.LatestMessage(_podEvents, "FailedScheduling") ?? conditionMessage));
            }
            else
            {
                _firstSeen.Remove("unschedulable");
            }
        }
        else if (_job is not null)
        {
            // No pod yet: the Job controller may be unable to create one (quota, admission webhook).
            var jobEvents = await EventsOfAsync(request.JobName, cancellationToken).ConfigureAwait(false);
            var failedCreate = jobEvents.LastOrDefault(e => e.Reason == "FailedCreate" && e.Type == "Warning");
            if (failedCreate?.Message is { } message)
            {
                if (Persisted("create", now) >= options.UnschedulableGrace)
                    return new JobEnd(false, null, PodDiagnosis.PodCreationFailedReason(message));
            }
            else
            {
                _firstSeen.Remove("create");
            }
        }

        if (now - PendingSince() >= options.StartTimeout)
        {
            var lastState = PodDiagnosis.DescribePending(_pod, status)
                ?? _podEvents.Where(e => e.Type == "Warning").Select(e => $"{e.Reason}: {e.Message}").LastOrDefault();
            return new JobEnd(false, null, PodDiagnosis.StartTimeoutReason(options.StartTimeout, lastState));
        }
        return null;
    }

    private TimeSpan Persisted(string condition, DateTimeOffset now)
    {
        if (!_firstSeen.TryGetValue(condition, out var since))
            _firstSeen[condition] = since = now;
        return now - since;
    }

    // From when the Job was created, if its clock agrees with ours; a resumed follow must not restart the bound.
    private DateTimeOffset PendingSince()
    {
        if (_job?.Metadata?.CreationTimestamp is { } created)
        {
            var createdAt = new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc));
            if (createdAt <= _followStarted)
                return createdAt;
        }
        return _followStarted;
    }

    private async Task<IReadOnlyList<Corev1Event>> EventsOfAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var list = await client.CoreV1.ListNamespacedEventAsync(
                _ns, fieldSelector: $"involvedObject.name={name}", cancellationToken: cancellationToken).ConfigureAwait(false);
            return list.Items
                .Where(e => e.InvolvedObject?.Name == name)
                .OrderBy(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata?.CreationTimestamp)
                .ToList();
        }
        catch (HttpOperationException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Events only sharpen the diagnosis; without them the start bound still ends a stuck pod.
            EventsUnavailable(logger, name, (int)e.Response.StatusCode);
            return [];
        }
    }

    private async Task RefreshPodAsync(CancellationToken cancellationToken)
    {
        if (_podName is null)
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync(_ns, labelSelector: JobLabels.SelectorFor(request.JobId), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (pods.Items.Where(IsOurs).OrderBy(p => p.Metadata?.CreationTimestamp).LastOrDefault() is { } listed)
                SetPod(listed);
            return;
        }
        try
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(_podName, _ns, cancellationToken: cancellationToken).ConfigureAwait(false);
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
            await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        _batchDue = null;
        if (_batch.Count == 0)
            return;
        var lines = _batch.ToArray();
        _batch.Clear();
        await observer.OnLogLinesAsync(lines, cancellationToken).ConfigureAwait(false);
        var last = lines[^1];
        _checkpoint = _checkpoint with { LastLogLine = last.Number, LastLogTimestamp = last.Timestamp, LinesAtLastTimestamp = _batchLinesAtTimestamp };
        observer.OnProgress(_checkpoint);
    }

    /// <summary>
    /// list → watch from resourceVersion. A watch that simply ends is opened again from the last version seen (the
    /// server's history fills the gap); one told 410 Gone, or failing otherwise, lists again first.
    /// </summary>
    private async Task WatchAsync<T>(
        KubernetesApiCall listCall,
        Func<CancellationToken, Task<(List<T> Items, string? ResourceVersion)>> list,
        Func<string?, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        Func<IReadOnlyList<T>, Signal> listed,
        Func<WatchEventType, T, Signal?> changed,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        string? resourceVersion = null;
        var mustList = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (mustList)
            {
                (List<T> Items, string? ResourceVersion) snapshot;
                try
                {
                    snapshot = await list(cancellationToken).ConfigureAwait(false);
                }
                catch (HttpOperationException e) when (KubernetesJobs.IsDenied(e))
                {
                    await _signals.Writer.WriteAsync(new Fatal(KubernetesJobs.Forbidden(e, listCall, _ns).Message), cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    ListFailed(logger, e, listCall.Resource, request.JobName);
                    await Task.Delay(options.ReconnectDelay, time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                await _signals.Writer.WriteAsync(listed(snapshot.Items), cancellationToken).ConfigureAwait(false);
                resourceVersion = snapshot.ResourceVersion;
                mustList = false;
            }

            Exception? error = null;
            using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await foreach (var (type, item) in watch(resourceVersion, e =>
                               {
                                   error = e;
                                   watchStop.Cancel();
                               }, watchStop.Token).ConfigureAwait(false))
                {
                    if (item?.Metadata?.ResourceVersion is { } rv)
                        resourceVersion = rv;
                    if (type is WatchEventType.Bookmark or WatchEventType.Error)
                        continue;
                    if (changed(type, item!) is { } signal)
                        await _signals.Writer.WriteAsync(signal, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // onError stopped the watch; the error is in `error`.
            }
            catch (HttpOperationException e) when (KubernetesJobs.IsDenied(e))
            {
                await _signals.Writer.WriteAsync(new Fatal(KubernetesJobs.Forbidden(e, listCall with { Verb = "watch" }, _ns).Message), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                error = e;
            }

            if (cancellationToken.IsCancellationRequested)
                return;
            if (error is KubernetesException { Status.Code: 410 } or HttpOperationException { Response.StatusCode: HttpStatusCode.Gone })
            {
                WatchGone(logger, listCall.Resource, request.JobName);
                mustList = true;
                continue;
            }
            if (error is not null)
            {
                // The version may be what the server chokes on; a fresh list is always safe.
                WatchFailed(logger, error, listCall.Resource, request.JobName);
                mustList = true;
            }
            else
            {
                WatchEnded(logger, listCall.Resource, request.JobName, resourceVersion);
            }
            // A short pause, so a server that ends every watch at once is not hammered; nothing is lost meanwhile.
            await Task.Delay(options.ReconnectDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Follows the pod's log to its end, reconnecting after a drop with no duplicate and no missing line.</summary>
    private async Task FollowLogAsync(string podName, CancellationToken cancellationToken)
    {
        var cursor = new LogCursor(_checkpoint);
        var final = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            Stream stream;
            try
            {
                stream = await client.CoreV1.ReadNamespacedPodLogAsync(
                    podName, _ns, container: request.Container, follow: !final, timestamps: true,
                    sinceSeconds: cursor.SinceSeconds(time.GetUtcNow(), options.LogResumeOverlap),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                break;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                LogStreamFailed(logger, e, podName);
                await Task.Delay(options.ReconnectDelay, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            cursor.BeginPass();
            try
            {
                await using (stream.ConfigureAwait(false))
                    await ReadLinesAsync(stream, cursor, includeUnterminated: final, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                LogStreamFailed(logger, e, podName);
            }

            if (final)
                break;

            // The stream ended: the container finished, or the connection dropped.
            var finished = await ContainerFinishedAsync(podName, cancellationToken).ConfigureAwait(false);
            if (finished is null)
                break;
            if (finished.Value)
                final = true; // One last plain read catches whatever a dropped stream missed.
            else
                await Task.Delay(options.ReconnectDelay, time, cancellationToken).ConfigureAwait(false);
        }
        await _signals.Writer.WriteAsync(new LogFinished(), cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadLinesAsync(Stream stream, LogCursor cursor, bool includeUnterminated, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[8192];
        var pending = new StringBuilder();
        while (true)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n')
                    continue;
                pending.Append(buffer, start, i - start);
                await EmitAsync(pending.ToString().TrimEnd('\r'), cursor, cancellationToken).ConfigureAwait(false);
                pending.Clear();
                start = i + 1;
            }
            pending.Append(buffer, start, read - start);
        }
        // A line cut off by a dropped stream comes again, whole, on the next read; only the log's true end keeps it.
        if (includeUnterminated && pending.Length > 0)
            await EmitAsync(pending.ToString().TrimEnd('\r'), cursor, cancellationToken).ConfigureAwait(false);
    }

    private async Task EmitAsync(string raw, LogCursor cursor, CancellationToken cancellationToken)
    {
        if (cursor.Accept(TimestampedLine.Parse(raw), time.GetUtcNow()) is { } line)
            await _signals.Writer.WriteAsync(new LogLineRead(line, cursor.LinesAtLastTimestamp), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the container has ended, false while it runs, null when the pod is gone.</summary>
    private async Task<bool?> ContainerFinishedAsync(string podName, CancellationToken cancellationToken)
    {
        try
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(podName, _ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            var status = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == request.Container);
            return status?.State?.Terminated is not null || pod.Status?.Phase is "Succeeded" or "Failed";
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource} for {JobName} got 410 Gone; listing again")]
    private static partial void WatchGone(ILogger logger, string resource, string jobName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch of {Resource} for {JobName} ended; watching again from {ResourceVersion}")]
    private static partial void WatchEnded(ILogger logger, string resource, string jobName, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Resource} for {JobName} failed; listing again")]
    private static partial void WatchFailed(ILogger logger, Exception error, string resource, string jobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing {Resource} for {JobName} failed; retrying")]
    private static partial void ListFailed(ILogger logger, Exception error, string resource, string jobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log stream of pod {Pod} failed; reconnecting")]
    private static partial void LogStreamFailed(ILogger logger, Exception error, string pod);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read events of {Name} (HTTP {Status})")]
    private static partial void EventsUnavailable(ILogger logger, string name, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up waiting for the rest of {JobName}'s log after {Timeout}")]
    private static partial void LogDrainGaveUp(ILogger logger, string jobName, TimeSpan timeout);
}
