using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Controllers;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Kubelet;

/// <summary>What the kubelet reports about one pod (its phase, container statuses and conditions), written to the store.</summary>
internal sealed class PodStatusReporter(ObjectStore store, SimulatorClock clock, V1Pod pod, int index)
{
    private string? _containerId;

    /// <summary>The pod as last stored: every status write hands back the newer object.</summary>
    public V1Pod Pod { get; private set; } = pod;

    /// <summary>When the containers were last reported running.</summary>
    public DateTime? StartedAt { get; private set; }

    private string Node => Pod.Spec.NodeName;

    private V1Container Primary => Pod.Spec.Containers[0];

    private string Namespace => Pod.Metadata.NamespaceProperty;

    private string Name => Pod.Metadata.Name;

    public void SetWaiting(string reason, string? message, bool sandboxReady)
    {
        var now = clock.UtcNow;
        UpdateStatus(status =>
        {
            status.Phase = "Pending";
            status.StartTime ??= now;
            status.ContainerStatuses = [.. Pod.Spec.Containers.Select(c => new V1ContainerStatus
            {
                Name = c.Name,
                Image = c.Image,
                ImageID = "",
                Ready = false,
                Started = false,
                RestartCount = 0,
                State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } },
                LastState = new V1ContainerState(),
            })];
            SetConditions(status, now, sandboxReady, ready: false, "ContainersNotReady", $"containers with unready status: [{string.Join(" ", Pod.Spec.Containers.Select(c => c.Name))}]");
        });
    }

    public void SetRunning()
    {
        var now = clock.UtcNow;
        StartedAt = now;
        _containerId = NewContainerId();
        UpdateStatus(status =>
        {
            status.Phase = "Running";
            status.StartTime ??= now;
            status.ContainerStatuses = [.. Pod.Spec.Containers.Select((c, i) => RunningStatus(c, now, i == 0 ? _containerId : NewContainerId()))];
            SetConditions(status, now, sandboxReady: true, ready: true, null, null);
        });
    }

    private V1ContainerStatus RunningStatus(V1Container container, DateTime startedAt, string containerId) => new()
    {
        Name = container.Name,
        Image = container.Image,
        ImageID = ImageId(container.Image),
        ContainerID = containerId,
        Ready = true,
        Started = true,
        RestartCount = 0,
        State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = startedAt } },
        LastState = new V1ContainerState(),
    };

    public void SetTerminated(int exitCode, string reason, string? message, DateTime startedAt)
    {
        var now = clock.UtcNow;
        var containerId = _containerId ?? NewContainerId();
        UpdateStatus(status =>
        {
            var primary = new V1ContainerStatus
            {
                Name = Primary.Name,
                Image = Primary.Image,
                ImageID = ImageId(Primary.Image),
                ContainerID = containerId,
                Ready = false,
                Started = false,
                RestartCount = 0,
                State = new V1ContainerState
                {
                    Terminated = new V1ContainerStateTerminated
                    {
                        ExitCode = exitCode,
                        Reason = reason,
                        Message = message,
                        StartedAt = startedAt,
                        FinishedAt = now,
                        ContainerID = containerId,
                    },
                },
                LastState = new V1ContainerState(),
            };
            var others = (status.ContainerStatuses ?? []).Where(s => s.Name != Primary.Name).ToList();
            status.ContainerStatuses = [primary, .. others];
            // A regular sidecar keeps running, and so does the pod, as it would in a real cluster.
            var sidecarsRunning = others.Any(s => s.State?.Running is not null);
            status.Phase = sidecarsRunning ? "Running" : exitCode == 0 && reason == "Completed" ? "Succeeded" : "Failed";
            var terminalReason = exitCode == 0 ? "PodCompleted" : "PodFailed";
            SetConditions(status, now, sandboxReady: !sidecarsRunning ? false : true, ready: false,
                sidecarsRunning ? "ContainersNotReady" : terminalReason,
                sidecarsRunning ? $"containers with unready status: [{Primary.Name}]" : null);
        });
    }

    private void SetConditions(V1PodStatus status, DateTime now, bool sandboxReady, bool ready, string? reason, string? message)
    {
        var scheduled = status.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled")
            ?? new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = now };
        V1PodCondition Keep(string type, string value, string? why = null, string? what = null)
        {
            var existing = status.Conditions?.FirstOrDefault(c => c.Type == type);
            return existing is not null && existing.Status == value && existing.Reason == why
                ? existing
                : new V1PodCondition { Type = type, Status = value, Reason = why, Message = what, LastTransitionTime = now };
        }
        status.Conditions =
        [
            Keep("PodReadyToStartContainers", sandboxReady ? "True" : "False"),
            Keep("Initialized", "True"),
            Keep("Ready", ready ? "True" : "False", reason, message),
            Keep("ContainersReady", ready ? "True" : "False", reason, message),
            scheduled,
        ];
        status.HostIP = Node == SimulatedNodes.NodeA ? "10.0.0.11" : "10.0.0.12";
        status.HostIPs = [new V1HostIP { Ip = status.HostIP }];
        if (sandboxReady || status.PodIP is not null)
        {
            status.PodIP ??= SimulatedNodes.PodIp(Node, index);
            status.PodIPs = [new V1PodIP { Ip = status.PodIP }];
        }
        status.QosClass ??= "BestEffort";
    }

    private void UpdateStatus(Action<V1PodStatus> change)
    {
        var updated = store.Update<V1Pod>(Namespace, Name, p =>
        {
            change(p.Status ??= new V1PodStatus());
            return true;
        });
        if (updated is not null)
        {
            Pod = updated;
        }
    }

    private static string NewContainerId() => "containerd://" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string ImageId(string image) =>
        $"{image.Split(':')[0]}@sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image)))}";
}
