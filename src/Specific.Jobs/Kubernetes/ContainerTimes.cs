using k8s.Models;

namespace Specific.Jobs.Kubernetes;

/// <summary>
/// A container's own start and finish as its status reports them: a job's duration is measured by these, never by when
/// a record was written, so a slow or failing store cannot stretch it.
/// </summary>
internal static class ContainerTimes
{
    /// <summary>When the container started (running or terminated state), if the status says.</summary>
    public static DateTimeOffset? StartedAt(V1ContainerStatus? status) =>
        (status?.State?.Running?.StartedAt ?? status?.State?.Terminated?.StartedAt) is { } started ? Utc(started) : null;

    /// <summary>When the command ran, from the terminated state; null until the container has ended with both times.</summary>
    public static RunTimes? Ran(V1ContainerStatus? status) =>
        status?.State?.Terminated is { StartedAt: { } started, FinishedAt: { } finished }
            ? new RunTimes(Utc(started), Utc(finished))
            : null;

    // KubernetesClient reads RFC 3339 times as DateTime; they are UTC whatever Kind says.
    private static DateTimeOffset Utc(DateTime instant) =>
        new(instant.Kind == DateTimeKind.Local ? instant.ToUniversalTime() : DateTime.SpecifyKind(instant, DateTimeKind.Utc));
}
