using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Kubernetes;

/// <summary>What to build a Job for: the job, the service and environment it belongs to, and the command.</summary>
/// <param name="Command">Run verbatim as <c>sh -c "&lt;Command&gt;"</c>.</param>
public sealed record JobSpecInput(string JobId, string Service, string Environment, string Command)
{
    /// <summary>When set, Kubernetes stops the Job after this many seconds (reason DeadlineExceeded).</summary>
    public long? ActiveDeadlineSeconds { get; init; }
}

/// <summary>A Job built from a Deployment: the typed V1Job, its one container, and what was left out, for a person to read.</summary>
public sealed record BuiltJob(V1Job Job, string Container, string Image, IReadOnlyList<string> Notes);

/// <summary>Thrown when a Deployment cannot be turned into a Job (for example, its default container does not exist).</summary>
public sealed class JobSpecException(string message) : Exception(message);

/// <summary>
/// Builds a one-off Job from a service's live Deployment: the primary container's pod template, with the command
/// replaced by <c>sh -c</c>, serving-only fields stripped, and the Job's own labels instead of the Deployment's.
/// </summary>
public static partial class JobSpecBuilder
{
    /// <summary>Kubernetes removes a finished Job (and its pod) this long after it ends; logs live on in the log store.</summary>
    public const int TtlSecondsAfterFinished = 3600;

    /// <summary>Builds the Job. Pure: the Deployment is not modified.</summary>
    public static BuiltJob FromDeployment(V1Deployment deployment, JobSpecInput input)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(input);

        var deploymentName = deployment.Metadata?.Name ?? input.Service;
        // A deep copy, so nothing we hand out shares objects with the caller's Deployment.
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(
            deployment.Spec?.Template ?? throw new JobSpecException($"Deployment `{deploymentName}` has no pod template.")));
        var source = template.Spec ?? throw new JobSpecException($"Deployment `{deploymentName}` has no pod spec.");
        var containers = source.Containers ?? [];
        if (containers.Count == 0)
            throw new JobSpecException($"Deployment `{deploymentName}` has no containers.");

        var primary = PickPrimary(deploymentName, deployment, template, containers);
        var notes = new List<string>();

        foreach (var other in containers.Where(c => c != primary))
            notes.Add($"sidecar `{other.Name}` not replicated");
        foreach (var init in source.InitContainers ?? [])
        {
            notes.Add(init.RestartPolicy == "Always"
                ? $"sidecar `{init.Name}` not replicated"
                : $"init container `{init.Name}` not run");
        }

        var dropped = ServingOnlyFieldsOf(primary);
        if (dropped.Count > 0)
            notes.Add($"{JoinWithAnd(dropped)} dropped");

        var volumes = VolumesMountedBy(primary, source.Volumes, out var unusedVolumes);
        if (unusedVolumes.Count > 0)
            notes.Add($"{Plural(unusedVolumes.Count, "volume", "volumes")} {JoinWithAnd(unusedVolumes.Select(v => $"`{v}`"))} not mounted (used only by other containers)");

        var templateLabels = template.Metadata?.Labels ?? new Dictionary<string, string>();
        foreach (var env in primary.Env ?? [])
        {
            var label = LabelReferencedBy(env);
            if (label is not null && templateLabels.ContainsKey(label))
                notes.Add($"env `{env.Name}` reads pod label `{label}`, which the Job's pod does not carry");
        }

        var container = new V1Container
        {
            Name = primary.Name,
            Image = primary.Image,
            ImagePullPolicy = primary.ImagePullPolicy,
            Command = ["sh", "-c", input.Command],
            Args = null,
            Env = primary.Env,
            EnvFrom = primary.EnvFrom,
            Resources = primary.Resources,
            VolumeMounts = primary.VolumeMounts,
            VolumeDevices = primary.VolumeDevices,
            WorkingDir = primary.WorkingDir,
            SecurityContext = primary.SecurityContext,
        };

        var labels = JobLabels.For(input.JobId, input.Service, input.Environment);
        var podSpec = new V1PodSpec
        {
            Containers = [container],
            RestartPolicy = "Never",
            Volumes = volumes,
            ServiceAccountName = source.ServiceAccountName,
            AutomountServiceAccountToken = source.AutomountServiceAccountToken,
            ImagePullSecrets = source.ImagePullSecrets,
            SecurityContext = source.SecurityContext,
            NodeSelector = source.NodeSelector,
            Tolerations = source.Tolerations,
            Affinity = source.Affinity,
            PriorityClassName = source.PriorityClassName,
            RuntimeClassName = source.RuntimeClassName,
            DnsPolicy = source.DnsPolicy,
            DnsConfig = source.DnsConfig,
            HostAliases = source.HostAliases,
            EnableServiceLinks = source.EnableServiceLinks,
            TerminationGracePeriodSeconds = source.TerminationGracePeriodSeconds,
        };

        var job = new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = JobIds.KubernetesJobName(input.JobId),
                NamespaceProperty = deployment.Metadata?.NamespaceProperty,
                Labels = new Dictionary<string, string>(labels),
            },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                TtlSecondsAfterFinished = TtlSecondsAfterFinished,
                ActiveDeadlineSeconds = input.ActiveDeadlineSeconds,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = new Dictionary<string, string>(labels),
                        Annotations = PodAnnotations(template.Metadata?.Annotations),
                    },
                    Spec = podSpec,
                },
            },
        };

        return new BuiltJob(job, primary.Name, primary.Image ?? "", notes);
    }

    private static V1Container PickPrimary(
        string deploymentName, V1Deployment deployment, V1PodTemplateSpec template, IList<V1Container> containers)
    {
        string? named = null;
        template.Metadata?.Annotations?.TryGetValue(JobLabels.DefaultContainerAnnotation, out named);
        if (named is null)
            deployment.Metadata?.Annotations?.TryGetValue(JobLabels.DefaultContainerAnnotation, out named);
        if (string.IsNullOrWhiteSpace(named))
            return containers[0];

        return containers.FirstOrDefault(c => c.Name == named)
            ?? throw new JobSpecException(
                $"Deployment `{deploymentName}` names `{named}` as its default container " +
                $"({JobLabels.DefaultContainerAnnotation}), but it has no container by that name " +
                $"(it has {JoinWithAnd(containers.Select(c => $"`{c.Name}`"))}). Fix the annotation, then run the job again.");
    }

    private static List<string> ServingOnlyFieldsOf(V1Container container)
    {
        var dropped = new List<string>();
        if (container.Ports is { Count: > 0 })
            dropped.Add("ports");
        if (container.LivenessProbe is not null)
            dropped.Add("liveness probe");
        if (container.ReadinessProbe is not null)
            dropped.Add("readiness probe");
        if (container.StartupProbe is not null)
            dropped.Add("startup probe");
        if (container.Lifecycle?.PreStop is not null)
            dropped.Add("preStop hook");
        if (container.Lifecycle?.PostStart is not null)
            dropped.Add("postStart hook");
        return dropped;
    }

    // Only the volumes the primary container uses: a volume of a dropped init container or sidecar (say, an RWO
    // claim or a secret that only they need) must not keep the Job's pod from scheduling.
    private static List<V1Volume>? VolumesMountedBy(V1Container container, IList<V1Volume>? volumes, out List<string> unused)
    {
        unused = [];
        if (volumes is null || volumes.Count == 0)
            return null;

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in container.VolumeMounts ?? [])
            used.Add(mount.Name);
        foreach (var device in container.VolumeDevices ?? [])
            used.Add(device.Name);

        var kept = new List<V1Volume>();
        foreach (var volume in volumes)
        {
            if (used.Contains(volume.Name))
                kept.Add(volume);
            else
                unused.Add(volume.Name);
        }
        return kept.Count > 0 ? kept : null;
    }

    private static Dictionary<string, string> PodAnnotations(IDictionary<string, string>? source)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in source ?? new Dictionary<string, string>())
        {
            if (key != JobLabels.RestartedAtAnnotation)
                annotations[key] = value;
        }
        annotations[JobLabels.IstioInjectAnnotation] = "false";
        annotations[JobLabels.LinkerdInjectAnnotation] = "disabled";
        return annotations;
    }

    private static string? LabelReferencedBy(V1EnvVar env)
    {
        var path = env.ValueFrom?.FieldRef?.FieldPath;
        if (path is null)
            return null;
        var match = LabelFieldPath().Match(path);
        return match.Success ? match.Groups["label"].Value : null;
    }

    [GeneratedRegex(@"^metadata\.labels\['(?<label>[^']+)'\]$")]
    private static partial Regex LabelFieldPath();

    private static string JoinWithAnd(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count switch
        {
            0 => "",
            1 => list[0],
            _ => string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1],
        };
    }

    private static string Plural(int count, string one, string many) => count == 1 ? one : many;
}
