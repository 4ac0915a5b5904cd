using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>Renders objects as meta.k8s.io/v1 Tables with the same columns the API server's printers produce.</summary>
internal static class TableRenderer
{
    private sealed record Column(string Name, string Type, string Description, int Priority = 0, string Format = "");

    private static readonly Column NameColumn = new("Name", "string", "Name must be unique within a namespace.", 0, "name");
    private static readonly Column AgeColumn = new("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.");

    /// <summary>Whether the client asked for Table output (kubectl get does, via the Accept header).</summary>
    public static bool IsRequested(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Render(ResourceType type, IEnumerable<string> items, long resourceVersion, string? includeObject, DateTime now, bool includeHeaders = true)
    {
        var columns = ColumnsFor(type);
        var rows = new JsonArray();
        foreach (var json in items)
        {
            var obj = type.Deserialize(json);
            var row = new JsonObject { ["cells"] = new JsonArray([.. CellsFor(obj, now)]) };
            if (includeObject != "None")
            {
                row["object"] = includeObject == "Object"
                    ? JsonNode.Parse(json)
                    : new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = JsonNode.Parse(KubernetesJson.Serialize(obj.Metadata)),
                    };
            }
            rows.Add(row);
        }
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
        };
        table["columnDefinitions"] = includeHeaders
            ? new JsonArray([.. columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            })])
            : null;
        table["rows"] = rows;
        return table;
    }

    private static Column[] ColumnsFor(ResourceType type) => type.Kind switch
    {
        "Pod" =>
        [
            NameColumn,
            new("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
            new("Status", "string", "The aggregate status of the containers in this pod."),
            new("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            AgeColumn,
            new("IP", "string", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
            new("Node", "string", "NodeName is a request to schedule this pod onto a specific node.", 1),
            new("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node.", 1),
            new("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
        ],
        "Job" =>
        [
            NameColumn,
            new("Status", "string", "Status of the job."),
            new("Completions", "string", "The completion status of the job."),
            new("Duration", "string", "Time required to complete the job."),
            AgeColumn,
            new("Containers", "string", "Names of each container in the template.", 1),
            new("Images", "string", "Images referenced by each container in the template.", 1),
            new("Selector", "string", "A label query over pods that should match the pod count.", 1),
        ],
        "Deployment" =>
        [
            NameColumn,
            new("Ready", "string", "Number of the pod with ready state"),
            new("Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            new("Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
            AgeColumn,
            new("Containers", "string", "Names of each container in the template.", 1),
            new("Images", "string", "Images referenced by each container in the template.", 1),
            new("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
        ],
        "ReplicaSet" =>
        [
            NameColumn,
            new("Desired", "integer", "Replicas is the number of desired replicas."),
            new("Current", "integer", "Replicas is the most recently observed number of replicas."),
            new("Ready", "integer", "The number of ready replicas for this replica set."),
            AgeColumn,
        ],
        "Event" =>
        [
            new("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
            new("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future."),
            new("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            new("Object", "string", "The object that this event is about."),
            new("Subobject", "string", "The subobject that this event is about.", 1),
            new("Source", "string", "The component reporting this event.", 1),
            new("Message", "string", "A human-readable description of the status of this operation."),
            new("First Seen", "string", "The time at which the event was first recorded.", 1),
            new("Count", "string", "The number of times this event has occurred.", 1),
            new("Name", "string", "Name must be unique within a namespace.", 1, "name"),
        ],
        "Namespace" => [NameColumn, new("Status", "string", "The status of the namespace"), AgeColumn],
        "Node" =>
        [
            NameColumn,
            new("Status", "string", "The status of the node"),
            new("Roles", "string", "The roles of the node"),
            AgeColumn,
            new("Version", "string", "Kubelet Version reported by the node."),
        ],
        "ConfigMap" => [NameColumn, new("Data", "string", "Data contains the configuration data."), AgeColumn],
        "Secret" => [NameColumn, new("Type", "string", "The type of the secret"), new("Data", "string", "The number of entries in the secret"), AgeColumn],
        "PersistentVolumeClaim" =>
        [
            NameColumn,
            new("Status", "string", "Phase represents the current phase of PersistentVolumeClaim."),
            new("Volume", "string", "VolumeName is the binding reference to the PersistentVolume backing this claim."),
            new("Capacity", "string", "Capacity represents the actual resources of the underlying volume."),
            new("Access Modes", "string", "AccessModes contains the actual access modes the volume backing the PVC has."),
            new("StorageClass", "string", "StorageClassName is the name of the StorageClass required by the claim."),
            new("VolumeAttributesClass", "string", "VolumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim."),
            AgeColumn,
        ],
        _ => [NameColumn, AgeColumn],
    };

    private static IEnumerable<JsonNode?> CellsFor(IKubernetesObject<V1ObjectMeta> obj, DateTime now)
    {
        var age = Age(obj.Metadata.CreationTimestamp, now);
        return obj switch
        {
            V1Pod pod => PodCells(pod, age),
            V1Job job => JobCells(job, age, now),
            V1Deployment d =>
            [
                d.Metadata.Name, $"{d.Status?.ReadyReplicas ?? 0}/{d.Spec?.Replicas ?? 1}", d.Status?.UpdatedReplicas ?? 0, d.Status?.AvailableReplicas ?? 0, age,
                Join(d.Spec?.Template?.Spec?.Containers?.Select(c => c.Name)), Join(d.Spec?.Template?.Spec?.Containers?.Select(c => c.Image)),
                Join(d.Spec?.Selector?.MatchLabels?.Select(kv => $"{kv.Key}={kv.Value}")),
            ],
            V1ReplicaSet rs => [rs.Metadata.Name, rs.Spec?.Replicas ?? 0, rs.Status?.Replicas ?? 0, rs.Status?.ReadyReplicas ?? 0, age],
            Corev1Event e =>
            [
                e.Count > 1 ? $"{Age(e.LastTimestamp, now)} (x{e.Count} over {Age(e.FirstTimestamp, now)})" : Age(e.LastTimestamp, now),
                e.Type, e.Reason, $"{e.InvolvedObject.Kind?.ToLowerInvariant()}/{e.InvolvedObject.Name}", e.InvolvedObject.FieldPath ?? "",
                string.Join(", ", new[] { e.Source?.Component, e.Source?.Host }.Where(s => !string.IsNullOrEmpty(s))),
                e.Message, Age(e.FirstTimestamp, now), (e.Count ?? 1).ToString(CultureInfo.InvariantCulture), e.Metadata.Name,
            ],
            V1Namespace ns => [ns.Metadata.Name, ns.Status?.Phase ?? "Active", age],
            V1Node node =>
            [
                node.Metadata.Name,
                node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? "Ready" : "NotReady",
                "<none>", age, node.Status?.NodeInfo?.KubeletVersion ?? "",
            ],
            V1ConfigMap cm => [cm.Metadata.Name, (cm.Data?.Count ?? 0) + (cm.BinaryData?.Count ?? 0), age],
            V1Secret s => [s.Metadata.Name, s.Type ?? "Opaque", s.Data?.Count ?? 0, age],
            V1PersistentVolumeClaim pvc =>
            [
                pvc.Metadata.Name, pvc.Status?.Phase ?? "Pending", pvc.Spec?.VolumeName ?? "",
                pvc.Status?.Capacity?.TryGetValue("storage", out var size) == true ? size.ToString() : "",
                string.Join(",", (pvc.Status?.AccessModes ?? pvc.Spec?.AccessModes ?? []).Select(ShortAccessMode)),
                pvc.Spec?.StorageClassName ?? "<unset>", "<unset>", age,
            ],
            _ => [obj.Metadata.Name, age],
        };
    }

    private static JsonNode?[] PodCells(V1Pod pod, string age)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var total = pod.Spec?.Containers?.Count ?? 0;
        var ready = statuses.Count(s => s.Ready);
        var restarts = statuses.Sum(s => s.RestartCount);
        return
        [
            pod.Metadata.Name, $"{ready}/{total}", PodStatusText(pod), restarts.ToString(CultureInfo.InvariantCulture), age,
            pod.Status?.PodIP ?? "<none>", pod.Spec?.NodeName ?? "<none>", "<none>", "<none>",
        ];
    }

    /// <summary>The STATUS column of <c>kubectl get pods</c>: the first container's waiting or terminated reason wins over the phase.</summary>
    public static string PodStatusText(V1Pod pod)
    {
        var reason = pod.Status?.Reason ?? pod.Status?.Phase ?? "Pending";
        foreach (var status in Enumerable.Reverse(pod.Status?.ContainerStatuses ?? []))
        {
            if (status.State?.Waiting?.Reason is { Length: > 0 } waiting)
            {
                reason = waiting;
            }
            else if (status.State?.Terminated is { } terminated)
            {
                reason = terminated.Reason is { Length: > 0 } r ? r
                    : terminated.Signal is { } signal and not 0 ? $"Signal:{signal}" : $"ExitCode:{terminated.ExitCode}";
            }
        }
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            reason = "Terminating";
        }
        return reason;
    }

    private static JsonNode?[] JobCells(V1Job job, string age, DateTime now)
    {
        bool Has(string type) => job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;
        var status = Has("Complete") ? "Complete"
            : Has("Failed") ? "Failed"
            : job.Metadata.DeletionTimestamp is not null ? "Terminating"
            : Has("FailureTarget") ? "FailureTarget"
            : Has("Suspended") ? "Suspended"
            : Has("SuccessCriteriaMet") ? "SuccessCriteriaMet"
            : "Running";
        var duration = job.Status?.StartTime is { } start ? Age(start, job.Status.CompletionTime ?? now) : "";
        return
        [
            job.Metadata.Name, status, $"{job.Status?.Succeeded ?? 0}/{job.Spec?.Completions ?? 1}", duration, age,
            Join(job.Spec?.Template?.Spec?.Containers?.Select(c => c.Name)), Join(job.Spec?.Template?.Spec?.Containers?.Select(c => c.Image)),
            Join(job.Spec?.Selector?.MatchLabels?.Select(kv => $"{kv.Key}={kv.Value}")),
        ];
    }

    private static string Join(IEnumerable<string>? values) => values is null ? "" : string.Join(",", values);

    private static string ShortAccessMode(string mode) => mode switch
    {
        "ReadWriteOnce" => "RWO",
        "ReadOnlyMany" => "ROX",
        "ReadWriteMany" => "RWX",
        "ReadWriteOncePod" => "RWOP",
        _ => mode,
    };

    private static string Age(DateTime? since, DateTime now) => since is null ? "<unknown>" : HumanDuration(now - since.Value);

    /// <summary>apimachinery's duration.HumanDuration: "45s", "2m10s", "3h", "5d".</summary>
    public static string HumanDuration(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(-1)) { return "<invalid>"; }
        if (d < TimeSpan.Zero) { return "0s"; }
        var seconds = (long)d.TotalSeconds;
        if (seconds < 120) { return $"{seconds}s"; }
        var minutes = (long)d.TotalMinutes;
        if (minutes < 10) { return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s"; }
        if (minutes < 180) { return $"{minutes}m"; }
        var hours = (long)d.TotalHours;
        if (hours < 8) { return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m"; }
        if (hours < 48) { return $"{hours}h"; }
        if (hours < 24 * 8) { return hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h"; }
        if (hours < 24 * 365 * 2) { return $"{hours / 24}d"; }
        var days = hours / 24;
        return hours < 24 * 365 * 8 ? $"{days / 365}y{days % 365}d" : $"{days / 365}y";
    }
}
