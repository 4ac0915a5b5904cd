namespace Specific.Sandbox.ClusterSimulator;

/// <summary>Where the cluster simulator listens, what it loads, and how much watch history it keeps.</summary>
public sealed class ClusterSimulatorOptions
{
    /// <summary>The address to bind; port 0 picks a free port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:3002";

    /// <summary>Multi-document YAML files loaded at start (Deployments, ConfigMaps, Secrets, PVCs, Namespaces, ...).</summary>
    public IList<string> ManifestPaths { get; } = new List<string>();

    /// <summary>How long watch events are kept for resuming; older resourceVersions get 410 Gone (etcd compacts every 5 minutes).</summary>
    public TimeSpan WatchHistoryWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The version the API server and both simulated nodes report (<c>/version</c>, <c>kubectl get nodes</c>).</summary>
    public string KubeletVersion { get; set; } = "v1.32.0";
}
