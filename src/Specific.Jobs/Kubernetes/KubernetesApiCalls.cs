namespace Specific.Jobs.Kubernetes;

/// <summary>One kind of request the adapter makes: what an RBAC rule must allow.</summary>
public sealed record KubernetesApiCall(string Group, string Resource, string Verb);

/// <summary>
/// Every Kubernetes API call the adapter makes, kept beside it so the RBAC manifests can be checked against it.
/// A new call in <see cref="KubernetesJobs"/> or <see cref="KubernetesServiceCatalog"/> belongs here too.
/// </summary>
public static class KubernetesApiCalls
{
    public static readonly KubernetesApiCall ReadDeployment = new("apps", "deployments", "get");
    public static readonly KubernetesApiCall ListDeployments = new("apps", "deployments", "list");
    public static readonly KubernetesApiCall CreateJob = new("batch", "jobs", "create");
    public static readonly KubernetesApiCall ReadJob = new("batch", "jobs", "get");
    public static readonly KubernetesApiCall ListJobs = new("batch", "jobs", "list");
    public static readonly KubernetesApiCall WatchJobs = new("batch", "jobs", "watch");
    public static readonly KubernetesApiCall DeleteJob = new("batch", "jobs", "delete");
    public static readonly KubernetesApiCall ReadPod = new("", "pods", "get");
    public static readonly KubernetesApiCall ListPods = new("", "pods", "list");
    public static readonly KubernetesApiCall WatchPods = new("", "pods", "watch");
    public static readonly KubernetesApiCall ReadPodLog = new("", "pods/log", "get");
    public static readonly KubernetesApiCall ListEvents = new("", "events", "list");
    public static readonly KubernetesApiCall ReadSecret = new("", "secrets", "get");

    /// <summary>Every call of the job engine's adapter: what the worker's Role grants.</summary>
    public static IReadOnlyList<KubernetesApiCall> All { get; } =
    [
        ReadDeployment, ListDeployments,
        CreateJob, ReadJob, ListJobs, WatchJobs, DeleteJob,
        ReadPod, ListPods, WatchPods, ReadPodLog,
        ListEvents,
    ];

    /// <summary>The bot's own calls: the service catalog lists Deployments (<see cref="KubernetesServiceCatalog"/>).</summary>
    public static IReadOnlyList<KubernetesApiCall> Bot { get; } = [ListDeployments];

    /// <summary>
    /// What redaction by secret value adds to the bot's Role (<c>Redaction.KubernetesSecretValueSource</c>): the job's
    /// Kubernetes Job, else its Deployment (listed by name), then the Secrets their container names.
    /// </summary>
    public static IReadOnlyList<KubernetesApiCall> ValueRedaction { get; } = [ReadJob, ListDeployments, ReadSecret];
}
