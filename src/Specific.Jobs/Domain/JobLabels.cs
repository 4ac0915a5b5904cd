namespace Specific.Jobs.Domain;

/// <summary>The labels and annotations the engine puts on every Job and Job pod it creates.</summary>
public static class JobLabels
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "specific-jobs";
    public const string JobId = "jobs.specific.dev/job-id";
    public const string Service = "jobs.specific.dev/service";
    public const string Environment = "jobs.specific.dev/environment";

    /// <summary>Names the container <c>kubectl logs</c> and <c>kubectl exec</c> pick by default; we honour it too.</summary>
    public const string DefaultContainerAnnotation = "kubectl.kubernetes.io/default-container";

    /// <summary>Set by <c>kubectl rollout restart</c>; it means nothing on a one-off pod.</summary>
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    /// <summary>An injected mesh proxy never exits, so it would keep the Job's pod alive forever.</summary>
    public const string IstioInjectAnnotation = "sidecar.istio.io/inject";

    /// <summary>Linkerd's proxy has the same problem as Istio's.</summary>
    public const string LinkerdInjectAnnotation = "linkerd.io/inject";

    /// <summary>The label selector that finds the Job and the pod of one job.</summary>
    public static string SelectorFor(string jobId) => $"{JobId}={jobId}";

    /// <summary>The labels of a job's Job and pod: ours only, never the Deployment's.</summary>
    public static Dictionary<string, string> For(string jobId, string service, string environment) => new(StringComparer.Ordinal)
    {
        [ManagedBy] = ManagedByValue,
        [JobId] = jobId,
        [Service] = LabelValue(service),
        [Environment] = LabelValue(environment),
    };

    /// <summary>A label value is at most 63 characters and must start and end with an alphanumeric.</summary>
    private static string LabelValue(string value)
    {
        var cut = value.Length > 63 ? value[..63] : value;
        return cut.Trim('-', '_', '.');
    }
}
