using System.Text.RegularExpressions;
using k8s.Models;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Kubernetes;

/// <summary>
/// Reads a Job pod's status and events and says, in words a person can act on, why it ended or why it cannot start.
/// Pure: the follow loop decides when to ask.
/// </summary>
public static partial class PodDiagnosis
{
    /// <summary>The waiting reasons of a pod whose image cannot be pulled.</summary>
    public static bool IsImagePullFailure(string? reason) => reason is "ErrImagePull" or "ImagePullBackOff";

    /// <summary>True when a container failed to start because its image has no <c>sh</c>.</summary>
    public static bool IsMissingShell(string? reason, string? message)
    {
        if (message is null)
            return false;
        if (reason is not (null or "StartError" or "ContainerCannotRun" or "RunContainerError" or "CreateContainerError" or "Error"))
            return false;
        return MissingShell().IsMatch(message);
    }

    // containerd: exec: "sh": executable file not found in $PATH; crun/runc: "sh": no such file or directory.
    [GeneratedRegex("""(exec:\s*)?\\?"sh\\?":?\s*(executable file not found|no such file or directory|stat sh: no such file)""", RegexOptions.IgnoreCase)]
    private static partial Regex MissingShell();

    public const string NoShellReason =
        "The image has no `sh` (distroless?), so the command cannot run. Jobs run `sh -c \"<cmd>\"`.";

    public static string ExitedReason(int exitCode) => $"The command exited with code {exitCode}.";

    public static string OutOfMemoryReason(int exitCode, string? memoryLimit) =>
        $"The container ran out of memory and was killed (OOMKilled, exit code {exitCode})" +
        (memoryLimit is null ? "." : $" at its memory limit of {memoryLimit}.") +
        " Give the service more memory, or make the command use less.";

    public static string ImagePullReason(string image, string reason, string? message) =>
        $"The image `{image}` cannot be pulled ({reason}{(string.IsNullOrWhiteSpace(message) ? "" : ": " + message)}). " +
        "Check that the image exists and that the service's imagePullSecrets can read it.";

    public static string ContainerConfigReason(string reason, string? message) =>
        $"The container cannot be created ({reason}{(string.IsNullOrWhiteSpace(message) ? "" : ": " + message)}). " +
        "Create the ConfigMap or Secret it refers to, or fix the service's env and volumes.";

    public static string UnschedulableReason(string? detail) =>
        "The pod cannot be scheduled" + (string.IsNullOrWhiteSpace(detail) ? "" : ": " + detail.TrimEnd('.')) + ". " +
        "Check the service's nodeSelector, affinity, tolerations and resource requests against the cluster's nodes.";

    public static string PodCreationFailedReason(string message) =>
        $"Kubernetes could not create the job's pod: {message.TrimEnd('.')}. Check the namespace's quotas and admission policies.";

    /// <summary>A Job stopped by Kubernetes at its activeDeadlineSeconds: "timed out after 10 minutes", and what to do.</summary>
    public static string DeadlineReason(long? seconds) =>
        (seconds is { } limit ? $"The job timed out after {JobTimeouts.Describe(TimeSpan.FromSeconds(limit))}" : "The job timed out") +
        ": Kubernetes stopped it and deleted its pod (DeadlineExceeded). Run it again with a longer `--timeout` " +
        "(up to the maximum its environment allows), or make the command finish sooner.";

    public static string JobDeletedReason(string jobName) =>
        $"The Kubernetes Job `{jobName}` was deleted before the command finished (cancelled, or deleted outside the bot).";

    public static string PodDeletedReason(string podName) =>
        $"The job's pod `{podName}` was deleted before the command finished (evicted, or deleted outside the bot).";

    public static string StartTimeoutReason(TimeSpan bound, string? lastState) =>
        $"The pod did not start within {Describe(bound)}" + (string.IsNullOrWhiteSpace(lastState) ? "." : $" (last seen: {lastState.TrimEnd('.')}).") +
        " Look at `kubectl describe pod` for the job's pod.";

    /// <summary>The Multi-Attach reason when a Warning FailedAttachVolume event says so, else null.</summary>
    public static string? MultiAttachReason(V1Pod pod, IEnumerable<Corev1Event> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var attach = events.LastOrDefault(e =>
            e.Reason == "FailedAttachVolume" && e.Message?.Contains("Multi-Attach", StringComparison.OrdinalIgnoreCase) == true);
        if (attach is null)
            return null;

        var volume = VolumeInMessage().Match(attach.Message!) is { Success: true } v ? v.Groups["name"].Value : null;
        var claims = pod?.Spec?.Volumes?.Where(x => x.PersistentVolumeClaim is not null).ToList() ?? [];
        var claim = claims.FirstOrDefault(c => c.Name == volume || c.PersistentVolumeClaim.ClaimName == volume)?.PersistentVolumeClaim.ClaimName
            ?? (claims.Count == 1 ? claims[0].PersistentVolumeClaim.ClaimName : null)
            ?? volume
            ?? "?";
        var users = UsersInMessage().Match(attach.Message!) is { Success: true } u ? u.Groups["pods"].Value.Trim().TrimEnd('.') : null;

        return $"The volume `{claim}` is ReadWriteOnce and already attached to another node" +
               (users is null ? "" : $" (used by pod(s) {users})") +
               "; the job cannot start while the service runs there. See the PVC caveat.";
    }

    [GeneratedRegex("volume\\s+\"(?<name>[^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex VolumeInMessage();

    [GeneratedRegex("""used by pod\(s\)\s*(?<pods>.+)$""", RegexOptions.IgnoreCase)]
    private static partial Regex UsersInMessage();

    /// <summary>True when the pod's PodScheduled condition is False with reason Unschedulable.</summary>
    public static bool IsUnschedulable(V1Pod? pod, out string? conditionMessage)
    {
        var condition = pod?.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        conditionMessage = condition?.Message;
        return condition is { Status: "False", Reason: "Unschedulable" };
    }

    /// <summary>The cluster autoscaler is adding a node for this pod, so unschedulable is not final yet.</summary>
    public static bool ScaleUpTriggered(IEnumerable<Corev1Event> events) =>
        events.Any(e => e.Reason == "TriggeredScaleUp");

    /// <summary>The message of the latest event with <paramref name="reason"/>, if any.</summary>
    public static string? LatestMessage(IEnumerable<Corev1Event> events, string reason) =>
        events.Where(e => e.Reason == reason).Select(e => e.Message).LastOrDefault(m => !string.IsNullOrWhiteSpace(m));

    /// <summary>The image with its digest (repo:tag@sha256:…) when the container status reports one.</summary>
    public static string ImageWithDigest(string image, string? imageId)
    {
        if (string.IsNullOrEmpty(imageId) || image.Contains('@', StringComparison.Ordinal))
            return image;
        var at = imageId.LastIndexOf('@');
        var digest = at >= 0 ? imageId[(at + 1)..] : imageId.StartsWith("sha256:", StringComparison.Ordinal) ? imageId : null;
        return digest is null || string.IsNullOrEmpty(image) ? image : $"{image}@{digest}";
    }

    /// <summary>One line about where a pod that has not started stands, for the start-timeout reason.</summary>
    public static string? DescribePending(V1Pod? pod, V1ContainerStatus? container)
    {
        if (pod is null)
            return "no pod was created";
        if (container?.State?.Waiting is { } waiting)
            return string.IsNullOrWhiteSpace(waiting.Message) ? waiting.Reason : $"{waiting.Reason}: {waiting.Message}";
        var condition = pod.Status?.Conditions?.FirstOrDefault(c => c.Status == "False" && !string.IsNullOrEmpty(c.Message));
        if (condition is not null)
            return $"{condition.Reason ?? condition.Type}: {condition.Message}";
        return pod.Status?.Phase;
    }

    private static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0
            ? $"{(int)span.TotalMinutes} minute{(span.TotalMinutes == 1 ? "" : "s")}"
            : $"{(int)span.TotalSeconds} seconds";

    /// <summary>How the job ended, as its pod's container tells it; null while the pod says nothing final.</summary>
    internal static JobEnd? EndOf(V1Pod? pod, V1ContainerStatus? status, string? specImage)
    {
        if (status?.State?.Terminated is { } terminated)
        {
            if (IsMissingShell(terminated.Reason, terminated.Message))
                return new JobEnd(false, null, NoShellReason);
            if (terminated.Reason is "StartError" or "ContainerCannotRun")
                return new JobEnd(false, null, ContainerConfigReason(terminated.Reason, terminated.Message));
            if (terminated.ExitCode == 0)
                return new JobEnd(true, 0, null);
            if (terminated.Reason == "OOMKilled")
            {
                var limit = pod?.Spec?.Containers?.FirstOrDefault(c => c.Name == status.Name)?.Resources?.Limits is { } limits
                    && limits.TryGetValue("memory", out var memory) ? memory.ToString() : null;
                return new JobEnd(false, terminated.ExitCode, OutOfMemoryReason(terminated.ExitCode, limit));
            }
            return new JobEnd(false, terminated.ExitCode, ExitedReason(terminated.ExitCode));
        }

        if (status?.State?.Waiting is { } waiting)
        {
            if (IsMissingShell(waiting.Reason, waiting.Message))
                return new JobEnd(false, null, NoShellReason);
            if (waiting.Reason == "InvalidImageName")
                return new JobEnd(false, null, ImagePullReason(status.Image ?? specImage ?? "?", waiting.Reason, waiting.Message));
        }

        if (pod?.Status?.Phase == "Failed" && status?.State?.Terminated is null)
        {
            var reason = pod.Status.Reason ?? "Failed";
            return new JobEnd(false, null, $"The pod failed before the command finished ({reason}{(string.IsNullOrWhiteSpace(pod.Status.Message) ? "" : ": " + pod.Status.Message)}).");
        }
        return null;
    }
}
