using k8s.Models;

namespace Specific.Sandbox.ClusterSimulator.Controllers;

/// <summary>The two nodes of the simulated cluster; Job pods land on node A unless a scripted rule says otherwise.</summary>
internal static class SimulatedNodes
{
    public const string NodeA = "sandbox-node-a";
    public const string NodeB = "sandbox-node-b";

    public static IEnumerable<V1Node> Create(string kubeletVersion, DateTime createdAt) =>
        new[] { (NodeA, "10.0.0.11"), (NodeB, "10.0.0.12") }.Select(n => new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = n.Item1,
                CreationTimestamp = createdAt,
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/hostname"] = n.Item1,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                    ["beta.kubernetes.io/os"] = "linux",
                    ["beta.kubernetes.io/arch"] = "amd64",
                    ["node.kubernetes.io/instance-type"] = "sandbox-standard-4",
                    ["topology.kubernetes.io/zone"] = "sandbox-1a",
                },
            },
            Spec = new V1NodeSpec { PodCIDR = n.Item2 == "10.0.0.11" ? "10.244.0.0/24" : "10.244.1.0/24" },
            Status = new V1NodeStatus
            {
                Addresses = [new V1NodeAddress { Type = "InternalIP", Address = n.Item2 }, new V1NodeAddress { Type = "Hostname", Address = n.Item1 }],
                Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("16Gi"), ["pods"] = new("110"), ["ephemeral-storage"] = new("100Gi") },
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("3800m"), ["memory"] = new("15Gi"), ["pods"] = new("110"), ["ephemeral-storage"] = new("95Gi") },
                Conditions =
                [
                    new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", Message = "kubelet is posting ready status", LastHeartbeatTime = createdAt, LastTransitionTime = createdAt },
                    new V1NodeCondition { Type = "MemoryPressure", Status = "False", Reason = "KubeletHasSufficientMemory", Message = "kubelet has sufficient memory available", LastHeartbeatTime = createdAt, LastTransitionTime = createdAt },
                    new V1NodeCondition { Type = "DiskPressure", Status = "False", Reason = "KubeletHasNoDiskPressure", Message = "kubelet has no disk pressure", LastHeartbeatTime = createdAt, LastTransitionTime = createdAt },
                    new V1NodeCondition { Type = "PIDPressure", Status = "False", Reason = "KubeletHasSufficientPID", Message = "kubelet has sufficient PID available", LastHeartbeatTime = createdAt, LastTransitionTime = createdAt },
                ],
                NodeInfo = new V1NodeSystemInfo
                {
                    Architecture = "amd64",
                    OperatingSystem = "linux",
                    OsImage = "Sandbox Linux",
                    KernelVersion = "6.1.0",
                    ContainerRuntimeVersion = "containerd://1.7.22",
                    KubeletVersion = kubeletVersion,
                    KubeProxyVersion = kubeletVersion,
                    MachineID = "sandbox",
                    SystemUUID = "sandbox",
                    BootID = "sandbox",
                },
            },
        });

    public static string PodIp(string node, int index) => node == NodeA ? $"10.244.0.{10 + (index % 240)}" : $"10.244.1.{10 + (index % 240)}";
}
