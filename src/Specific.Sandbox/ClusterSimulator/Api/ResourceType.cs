using k8s;
using k8s.Models;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>One REST resource the simulator serves: where it lives in the API and which model type carries it.</summary>
internal sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    Type ModelType,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> FieldSelectors,
    bool ReadOnly = false)
{
    /// <summary>"v1" for the core group, "apps/v1" otherwise, as in an object's apiVersion.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"jobs.batch" or "pods": how the API server names the resource in error messages.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>"Job.batch" or "Pod": how the API server names the kind in validation errors.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public IKubernetesObject<V1ObjectMeta> Deserialize(string json) => Deserializer(json);

    /// <summary>Set by <see cref="ResourceTypes"/>: the typed KubernetesJson deserializer for <see cref="ModelType"/>.</summary>
    public Func<string, IKubernetesObject<V1ObjectMeta>> Deserializer { get; init; } = _ => throw new InvalidOperationException("no deserializer");

    public IReadOnlyList<string> Verbs => ReadOnly
        ? ["get", "list", "watch"]
        : ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}

/// <summary>Every resource the simulator serves, and lookups by path segment and kind.</summary>
internal static class ResourceTypes
{
    private static readonly string[] MetadataFields = ["metadata.name", "metadata.namespace"];

    public static readonly ResourceType Namespaces = Of<V1Namespace>("", "v1", "namespaces", "namespace", "Namespace", false, ["ns"], [.. MetadataFields, "status.phase"]);
    public static readonly ResourceType Nodes = Of<V1Node>("", "v1", "nodes", "node", "Node", false, ["no"], [.. MetadataFields, "spec.unschedulable"], readOnly: true);
    public static readonly ResourceType Pods = Of<V1Pod>("", "v1", "pods", "pod", "Pod", true, ["po"],
        [.. MetadataFields, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"]);
    public static readonly ResourceType Events = Of<Corev1Event>("", "v1", "events", "event", "Event", true, ["ev"],
        [.. MetadataFields, "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
         "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"]);
    public static readonly ResourceType ConfigMaps = Of<V1ConfigMap>("", "v1", "configmaps", "configmap", "ConfigMap", true, ["cm"], MetadataFields);
    public static readonly ResourceType Secrets = Of<V1Secret>("", "v1", "secrets", "secret", "Secret", true, [], [.. MetadataFields, "type"]);
    public static readonly ResourceType PersistentVolumeClaims = Of<V1PersistentVolumeClaim>("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, ["pvc"], MetadataFields);
    public static readonly ResourceType Deployments = Of<V1Deployment>("apps", "v1", "deployments", "deployment", "Deployment", true, ["deploy"], MetadataFields);
    public static readonly ResourceType ReplicaSets = Of<V1ReplicaSet>("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, ["rs"], [.. MetadataFields, "status.replicas"]);
    public static readonly ResourceType Jobs = Of<V1Job>("batch", "v1", "jobs", "job", "Job", true, [], [.. MetadataFields, "status.successful"]);

    public static readonly IReadOnlyList<ResourceType> All =
        [Namespaces, Nodes, Pods, Events, ConfigMaps, Secrets, PersistentVolumeClaims, Deployments, ReplicaSets, Jobs];

    private static ResourceType Of<T>(string group, string version, string plural, string singular, string kind, bool namespaced,
        IReadOnlyList<string> shortNames, IReadOnlyList<string> fieldSelectors, bool readOnly = false)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(group, version, plural, singular, kind, namespaced, typeof(T), shortNames, fieldSelectors, readOnly)
        {
            Deserializer = json => KubernetesJson.Deserialize<T>(json),
        };

    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);

    public static ResourceType? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);

    public static ResourceType For<T>() => All.First(r => r.ModelType == typeof(T));
}
