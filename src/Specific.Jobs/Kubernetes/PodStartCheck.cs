using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Specific.Jobs.Kubernetes;

/// <summary>
/// Why a Job's pod is not starting, for <see cref="JobFollow"/>: reads the pod's status and events and gives up on the
/// job only when a reason has lasted its grace (the words come from <see cref="PodDiagnosis"/>).
/// </summary>
internal sealed partial class PodStartCheck(
    IKubernetes client,
    FollowRequest request,
    KubernetesJobsOptions options,
    DateTimeOffset followStarted,
    ILogger logger)
{
    private readonly string _ns = request.Namespace;
    private readonly DateTimeOffset _followStarted = followStarted;
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private IReadOnlyList<Corev1Event> _podEvents = [];

    /// <summary>
    /// The end of a job whose command has not started, once a reason to give up has lasted its grace: an image that
    /// cannot be pulled, a container that cannot be set up, a volume held elsewhere, a pod that cannot be scheduled or
    /// created, or the start bound passed. Null while the job may still start.
    /// </summary>
    public async Task<JobEnd?> CheckAsync(
        V1Job? job, V1Pod? pod, string? podName, V1ContainerStatus? status, string? specImage, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var waiting = status?.State?.Waiting;

        if (PodDiagnosis.IsImagePullFailure(waiting?.Reason))
        {
            if (Persisted("image", now) >= options.ImagePullGrace)
                return new JobEnd(false, null, PodDiagnosis.ImagePullReason(status!.Image ?? specImage ?? "?", waiting!.Reason, waiting.Message));
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

        if (podName is not null)
        {
            _podEvents = await EventsOfAsync(podName, cancellationToken);
            var multiAttach = PodDiagnosis.MultiAttachReason(pod!, _podEvents);
            if (multiAttach is not null)
                return new JobEnd(false, null, multiAttach);

            if (PodDiagnosis.IsUnschedulable(pod, out var conditionMessage) && !PodDiagnosis.ScaleUpTriggered(_podEvents))
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
        else if (job is not null)
        {
            // No pod yet: the Job controller may be unable to create one (quota, admission webhook).
            var jobEvents = await EventsOfAsync(request.JobName, cancellationToken);
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

        if (now - PendingSince(job) >= options.StartTimeout)
        {
            var lastState = PodDiagnosis.DescribePending(pod, status)
                ?? _podEvents.Where(e => e.Type == "Warning").Select(e => $"{e.Reason}: {e.Message}").LastOrDefault();
            return new JobEnd(false, null, PodDiagnosis.StartTimeoutReason(options.StartTimeout, lastState));
        }
        return null;
    }

    /// <summary>How long <paramref name="condition"/> has held, counted from the first time it was asked about.</summary>
    public TimeSpan Persisted(string condition, DateTimeOffset now)
    {
        if (!_firstSeen.TryGetValue(condition, out var since))
            _firstSeen[condition] = since = now;
        return now - since;
    }

    // From when the Job was created, if its clock agrees with ours; a resumed follow must not restart the bound.
    private DateTimeOffset PendingSince(V1Job? job)
    {
        if (job?.Metadata?.CreationTimestamp is { } created)
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
                _ns, fieldSelector: $"involvedObject.name={name}", cancellationToken: cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read events of {Name} (HTTP {Status})")]
    private static partial void EventsUnavailable(ILogger logger, string name, int status);
}
