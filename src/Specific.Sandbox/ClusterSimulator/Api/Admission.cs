using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>What the API server does to an object before storing it: defaulting, then validation that answers 422.</summary>
internal static partial class Admission
{
    private const string Dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string Dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>The 5-character suffix the API server appends to a generateName.</summary>
    public static string RandomSuffix(int length = 5) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => GenerateNameAlphabet[Random.Shared.Next(GenerateNameAlphabet.Length)]));

    /// <summary>Defaults and validates <paramref name="obj"/> for creation as <paramref name="type"/>; throws the 422 the API server would.</summary>
    public static void AdmitCreate(ResourceType type, IKubernetesObject<V1ObjectMeta> obj)
    {
        obj.Metadata ??= new V1ObjectMeta();
        var meta = obj.Metadata;
        if (string.IsNullOrEmpty(meta.Name) && !string.IsNullOrEmpty(meta.GenerateName))
        {
            meta.Name = meta.GenerateName + RandomSuffix();
        }

        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(meta.Name))
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else if (type == ResourceTypes.Jobs || type == ResourceTypes.Namespaces)
        {
            if (!IsDns1123Label(meta.Name))
            {
                errors.Add(FieldError.Invalid("metadata.name", $"\"{meta.Name}\"", Dns1123LabelMessage));
            }
        }
        else if (type != ResourceTypes.Events && !IsDns1123Subdomain(meta.Name))
        {
            errors.Add(FieldError.Invalid("metadata.name", $"\"{meta.Name}\"", Dns1123SubdomainMessage));
        }

        switch (obj)
        {
            case V1Job job:
                DefaultJob(job);
                ValidatePodTemplate(job.Spec?.Template, "spec.template", ["OnFailure", "Never"], errors);
                ValidateJobSpec(job.Spec, errors);
                break;
            case V1Deployment deployment:
                DefaultDeployment(deployment);
                ValidatePodTemplate(deployment.Spec?.Template, "spec.template", ["Always"], errors);
                ValidateSelector(deployment.Spec?.Selector, deployment.Spec?.Template, errors);
                break;
            case V1ReplicaSet replicaSet:
                ValidatePodTemplate(replicaSet.Spec?.Template, "spec.template", ["Always"], errors);
                break;
            case V1Pod pod:
                DefaultPodSpec(pod.Spec ??= new V1PodSpec(), "Always");
                pod.Spec.ServiceAccountName ??= "default"; // the ServiceAccount admission plugin's default
                pod.Spec.EnableServiceLinks ??= true;
                pod.Spec.Priority ??= 0;
                ValidatePodSpec(pod.Spec, "spec", ["Always", "OnFailure", "Never"], errors);
                pod.Status ??= new V1PodStatus { Phase = "Pending", QosClass = "BestEffort" };
                break;
            case V1Secret secret:
                if (secret.StringData is { Count: > 0 })
                {
                    secret.Data ??= new Dictionary<string, byte[]>();
                    foreach (var (key, value) in secret.StringData)
                    {
                        secret.Data[key] = System.Text.Encoding.UTF8.GetBytes(value);
                    }
                    secret.StringData = null;
                }
                secret.Type ??= "Opaque";
                break;
            case V1Namespace ns:
                ns.Status = new V1NamespaceStatus { Phase = "Active" };
                ns.Spec ??= new V1NamespaceSpec { Finalizers = ["kubernetes"] };
                meta.Labels ??= new Dictionary<string, string>();
                meta.Labels["kubernetes.io/metadata.name"] = meta.Name ?? "";
                break;
            case V1PersistentVolumeClaim claim:
                claim.Spec ??= new V1PersistentVolumeClaimSpec();
                claim.Spec.VolumeMode ??= "Filesystem";
                if (claim.Spec.AccessModes is not { Count: > 0 })
                {
                    errors.Add(FieldError.Required("spec.accessModes", "at least 1 access mode is required"));
                }
                break;
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, meta.Name ?? "", errors);
        }
    }

    private static void DefaultJob(V1Job job)
    {
        var spec = job.Spec ??= new V1JobSpec();
        spec.BackoffLimit ??= 6;
        spec.Completions ??= 1;
        spec.Parallelism ??= 1;
        spec.CompletionMode ??= "NonIndexed";
        spec.Suspend ??= false;
        spec.ManualSelector ??= null;
        spec.PodReplacementPolicy ??= "TerminatingOrFailed";
        var uid = job.Metadata.Uid ??= Guid.NewGuid().ToString();
        var template = spec.Template ??= new V1PodTemplateSpec();
        template.Metadata ??= new V1ObjectMeta();
        var labels = template.Metadata.Labels ??= new Dictionary<string, string>();
        labels["batch.kubernetes.io/controller-uid"] = uid;
        labels["batch.kubernetes.io/job-name"] = job.Metadata.Name ?? "";
        labels["controller-uid"] = uid;
        labels["job-name"] = job.Metadata.Name ?? "";
        // With no labels of its own, a Job takes its template's (as the API server's defaulting does).
        if (job.Metadata.Labels is not { Count: > 0 })
        {
            job.Metadata.Labels = new Dictionary<string, string>(labels);
        }
        spec.Selector ??= new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["batch.kubernetes.io/controller-uid"] = uid } };
        if (template.Spec is not null)
        {
            DefaultPodSpec(template.Spec, null);
        }
        job.Status ??= new V1JobStatus();
    }

    private static void DefaultDeployment(V1Deployment deployment)
    {
        var spec = deployment.Spec ??= new V1DeploymentSpec();
        spec.Replicas ??= 1;
        spec.RevisionHistoryLimit ??= 10;
        spec.ProgressDeadlineSeconds ??= 600;
        spec.Strategy ??= new V1DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = "25%" },
        };
        if (spec.Template?.Spec is not null)
        {
            DefaultPodSpec(spec.Template.Spec, "Always");
        }
    }

    /// <summary>Pod-spec defaults the API server fills in; an unset restartPolicy only defaults where the owner allows it.</summary>
    public static void DefaultPodSpec(V1PodSpec spec, string? restartPolicy)
    {
        if (restartPolicy is not null)
        {
            spec.RestartPolicy ??= restartPolicy;
        }
        spec.TerminationGracePeriodSeconds ??= 30;
        spec.DnsPolicy ??= "ClusterFirst";
        spec.SchedulerName ??= "default-scheduler";
        spec.SecurityContext ??= new V1PodSecurityContext();
        foreach (var container in spec.Containers ?? [])
        {
            container.TerminationMessagePath ??= "/dev/termination-log";
            container.TerminationMessagePolicy ??= "File";
            container.ImagePullPolicy ??= container.Image is { } image && (image.EndsWith(":latest", StringComparison.Ordinal) || !image.Contains(':', StringComparison.Ordinal))
                ? "Always"
                : "IfNotPresent";
            container.Resources ??= new V1ResourceRequirements();
        }
    }

    private static void ValidateJobSpec(V1JobSpec? spec, List<FieldError> errors)
    {
        if (spec is null)
        {
            return;
        }
        if (spec.BackoffLimit < 0)
        {
            errors.Add(FieldError.Invalid("spec.backoffLimit", spec.BackoffLimit.ToString()!, "must be greater than or equal to 0"));
        }
        if (spec.ActiveDeadlineSeconds is <= 0)
        {
            errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", spec.ActiveDeadlineSeconds.ToString()!, "must be greater than 0"));
        }
        if (spec.TtlSecondsAfterFinished < 0)
        {
            errors.Add(FieldError.Invalid("spec.ttlSecondsAfterFinished", spec.TtlSecondsAfterFinished.ToString()!, "must be greater than or equal to 0"));
        }
        if (spec.Parallelism < 0)
        {
            errors.Add(FieldError.Invalid("spec.parallelism", spec.Parallelism.ToString()!, "must be greater than or equal to 0"));
        }
    }

    private static void ValidateSelector(V1LabelSelector? selector, V1PodTemplateSpec? template, List<FieldError> errors)
    {
        if (selector is null)
        {
            errors.Add(FieldError.Required("spec.selector"));
            return;
        }
        var labels = template?.Metadata?.Labels ?? new Dictionary<string, string>();
        var matches = (selector.MatchLabels ?? new Dictionary<string, string>()).All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
        if (!matches)
        {
            var shown = string.Join(", ", labels.Select(kv => $"\"{kv.Key}\":\"{kv.Value}\""));
            errors.Add(FieldError.Invalid("spec.template.metadata.labels", $"map[string]string{{{shown}}}", "`selector` does not match template `labels`"));
        }
    }

    private static void ValidatePodTemplate(V1PodTemplateSpec? template, string path, string[] restartPolicies, List<FieldError> errors)
    {
        if (template?.Spec is null)
        {
            errors.Add(FieldError.Required($"{path}.spec.containers"));
            return;
        }
        ValidatePodSpec(template.Spec, $"{path}.spec", restartPolicies, errors);
    }

    private static void ValidatePodSpec(V1PodSpec spec, string path, string[] restartPolicies, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(spec.RestartPolicy))
        {
            errors.Add(FieldError.Required($"{path}.restartPolicy", $"valid values: {string.Join(", ", restartPolicies.Select(p => $"\"{p}\""))}"));
        }
        else if (!restartPolicies.Contains(spec.RestartPolicy))
        {
            errors.Add(FieldError.NotSupported($"{path}.restartPolicy", spec.RestartPolicy, restartPolicies));
        }

        if (spec.Containers is not { Count: > 0 })
        {
            errors.Add(FieldError.Required($"{path}.containers"));
        }
        var seen = new HashSet<string>();
        var volumeNames = (spec.Volumes ?? []).Select(v => v.Name).ToHashSet();
        for (var i = 0; i < (spec.Containers?.Count ?? 0); i++)
        {
            var container = spec.Containers![i];
            var at = $"{path}.containers[{i}]";
            if (string.IsNullOrEmpty(container.Name))
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            else if (!IsDns1123Label(container.Name))
            {
                errors.Add(FieldError.Invalid($"{at}.name", $"\"{container.Name}\"", Dns1123LabelMessage));
            }
            else if (!seen.Add(container.Name))
            {
                errors.Add(FieldError.Duplicate($"{at}.name", container.Name));
            }
            if (string.IsNullOrWhiteSpace(container.Image))
            {
                errors.Add(FieldError.Required($"{at}.image"));
            }
            for (var e = 0; e < (container.Env?.Count ?? 0); e++)
            {
                if (string.IsNullOrEmpty(container.Env![e].Name))
                {
                    errors.Add(FieldError.Required($"{at}.env[{e}].name"));
                }
            }
            for (var m = 0; m < (container.VolumeMounts?.Count ?? 0); m++)
            {
                var mount = container.VolumeMounts![m];
                if (!volumeNames.Contains(mount.Name))
                {
                    errors.Add(new FieldError($"{at}.volumeMounts[{m}].name", "FieldValueNotFound", $"Not found: \"{mount.Name}\""));
                }
            }
        }
    }

    public static bool IsDns1123Label(string value) => value.Length <= 63 && Dns1123Label().IsMatch(value);

    public static bool IsDns1123Subdomain(string value) => value.Length <= 253 && Dns1123Subdomain().IsMatch(value);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();
}
