using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Controllers;

/// <summary>
/// The deployment and replica-set controllers, enough for a service to "be deployed": one ReplicaSet per
/// Deployment named with its pod-template-hash, its pods, and the Deployment's status and conditions.
/// </summary>
internal sealed class DeploymentController(ObjectStore store, EventRecorder events, SimulatorClock clock)
{
    private const string HashLabel = "pod-template-hash";
    private const string HashAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>The snapshots the last pass read: the pass is a function of them alone, so the same ones again change nothing.</summary>
    private IReadOnlyList<StoredObject> _lastInputs = [];

    public void Reconcile()
    {
        var inputs = Inputs();
        if (inputs.SequenceEqual(_lastInputs, ReferenceEqualityComparer.Instance))
        {
            return;
        }
        foreach (var deployment in store.List<V1Deployment>())
        {
            if (deployment.Metadata.DeletionTimestamp is null)
            {
                ReconcileDeployment(deployment);
            }
        }
        foreach (var replicaSet in store.List<V1ReplicaSet>())
        {
            if (replicaSet.Metadata.DeletionTimestamp is null)
            {
                ReconcileReplicaSet(replicaSet);
            }
        }
        _lastInputs = inputs;
    }

    /// <summary>Every Deployment and ReplicaSet, and the pods they own (not the hundreds a namespace's Jobs may own).</summary>
    private List<StoredObject> Inputs()
    {
        var owners = store.Snapshot(ResourceTypes.Deployments, null).Items.Concat(store.Snapshot(ResourceTypes.ReplicaSets, null).Items).ToList();
        var uids = owners.Select(o => o.Uid).ToHashSet();
        return [.. owners, .. store.Snapshot(ResourceTypes.Pods, null).Items.Where(p => p.Owners.Any(o => uids.Contains(o.Uid)))];
    }

    private void ReconcileDeployment(V1Deployment deployment)
    {
        var ns = deployment.Metadata.NamespaceProperty;
        var hash = TemplateHash(deployment.Spec.Template);
        var name = $"{deployment.Metadata.Name}-{hash}";
        var replicas = deployment.Spec.Replicas ?? 1;
        var replicaSet = store.Get<V1ReplicaSet>(ns, name);
        if (replicaSet is null)
        {
            var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(deployment.Spec.Template));
            template.Metadata ??= new V1ObjectMeta();
            template.Metadata.Labels ??= new Dictionary<string, string>();
            template.Metadata.Labels[HashLabel] = hash;
            var selector = KubernetesJson.Deserialize<V1LabelSelector>(KubernetesJson.Serialize(deployment.Spec.Selector));
            selector.MatchLabels ??= new Dictionary<string, string>();
            selector.MatchLabels[HashLabel] = hash;
            replicaSet = store.Create(new V1ReplicaSet
            {
                ApiVersion = "apps/v1",
                Kind = "ReplicaSet",
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = ns,
                    Labels = template.Metadata.Labels,
                    Annotations = new Dictionary<string, string>
                    {
                        ["deployment.kubernetes.io/desired-replicas"] = replicas.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["deployment.kubernetes.io/max-replicas"] = (replicas + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["deployment.kubernetes.io/revision"] = "1",
                    },
                    OwnerReferences = [Owner("apps/v1", "Deployment", deployment.Metadata)],
                },
                Spec = new V1ReplicaSetSpec { Replicas = replicas, Selector = selector, Template = template },
                Status = new V1ReplicaSetStatus { Replicas = 0 },
            });
            events.Record(deployment, EventRecorder.Normal, "ScalingReplicaSet", $"Scaled up replica set {name} from 0 to {replicas}", "deployment-controller");
        }
        else if (replicaSet.Spec.Replicas != replicas)
        {
            store.Update<V1ReplicaSet>(ns, name, rs => { rs.Spec.Replicas = replicas; return true; });
        }

        // A changed template means a new ReplicaSet; the old ones are scaled to zero (a rollout without surge steps).
        foreach (var old in store.List<V1ReplicaSet>(ns).Where(rs => rs.Metadata.Name != name && rs.Spec.Replicas != 0
                     && rs.Metadata.OwnerReferences?.Any(o => o.Uid == deployment.Metadata.Uid) == true))
        {
            store.Update<V1ReplicaSet>(ns, old.Metadata.Name, rs => { rs.Spec.Replicas = 0; return true; });
            events.Record(deployment, EventRecorder.Normal, "ScalingReplicaSet", $"Scaled down replica set {old.Metadata.Name} from {old.Spec.Replicas} to 0", "deployment-controller");
        }

        var pods = OwnedPods(ns, replicaSet.Metadata.Uid);
        var ready = pods.Count(IsReady);
        var now = clock.UtcNow;
        store.Update<V1Deployment>(ns, deployment.Metadata.Name, d =>
        {
            var before = Snapshot.Of(d.Status);
            var status = d.Status ??= new V1DeploymentStatus();
            status.ObservedGeneration = d.Metadata.Generation;
            status.Replicas = pods.Count;
            status.UpdatedReplicas = pods.Count;
            status.ReadyReplicas = ready == 0 ? null : ready;
            status.AvailableReplicas = ready == 0 ? null : ready;
            status.UnavailableReplicas = pods.Count - ready == 0 ? null : pods.Count - ready;
            var available = ready >= replicas;
            var existing = status.Conditions?.FirstOrDefault(c => c.Type == "Available");
            if (existing is null || existing.Status != (available ? "True" : "False"))
            {
                status.Conditions =
                [
                    new V1DeploymentCondition
                    {
                        Type = "Available",
                        Status = available ? "True" : "False",
                        Reason = available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                        Message = available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                        LastUpdateTime = now,
                        LastTransitionTime = now,
                    },
                    new V1DeploymentCondition
                    {
                        Type = "Progressing",
                        Status = "True",
                        Reason = available ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                        Message = available ? $"ReplicaSet \"{name}\" has successfully progressed." : $"ReplicaSet \"{name}\" is progressing.",
                        LastUpdateTime = now,
                        LastTransitionTime = now,
                    },
                ];
            }
            return Snapshot.Of(status) != before;
        });
    }

    private void ReconcileReplicaSet(V1ReplicaSet replicaSet)
    {
        var ns = replicaSet.Metadata.NamespaceProperty;
        var pods = OwnedPods(ns, replicaSet.Metadata.Uid).Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        var wanted = (replicaSet.Spec.Replicas ?? 1) - pods.Count;
        foreach (var extra in pods.Skip(replicaSet.Spec.Replicas ?? 1).ToList())
        {
            // Service pods run no process, so there is nothing to wait for: they go at once.
            store.Remove(ResourceTypes.Pods, ns, extra.Metadata.Name);
            pods.Remove(extra);
            events.Record(replicaSet, EventRecorder.Normal, "SuccessfulDelete", $"Deleted pod: {extra.Metadata.Name}", "replicaset-controller");
        }
        for (var i = 0; i < wanted; i++)
        {
            var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(replicaSet.Spec.Template));
            var pod = new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta
                {
                    GenerateName = $"{replicaSet.Metadata.Name}-",
                    NamespaceProperty = ns,
                    Labels = template.Metadata?.Labels,
                    Annotations = template.Metadata?.Annotations,
                    OwnerReferences = [Owner("apps/v1", "ReplicaSet", replicaSet.Metadata)],
                },
                Spec = template.Spec,
            };
            Admission.AdmitCreate(ResourceTypes.Pods, pod);
            var created = store.Create(pod);
            pods.Add(created);
            events.Record(replicaSet, EventRecorder.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}", "replicaset-controller");
        }
        var ready = pods.Count(IsReady);
        store.Update<V1ReplicaSet>(ns, replicaSet.Metadata.Name, rs =>
        {
            var before = Snapshot.Of(rs.Status);
            rs.Status ??= new V1ReplicaSetStatus();
            rs.Status.Replicas = pods.Count;
            rs.Status.FullyLabeledReplicas = pods.Count;
            rs.Status.ReadyReplicas = ready;
            rs.Status.AvailableReplicas = ready;
            rs.Status.ObservedGeneration = rs.Metadata.Generation;
            return Snapshot.Of(rs.Status) != before;
        });
    }

    // Filtered on the stored owner references first: a namespace may hold hundreds of Jobs' pods.
    private List<V1Pod> OwnedPods(string ns, string ownerUid) =>
        [.. store.Snapshot(ResourceTypes.Pods, ns).Items.Where(p => p.Owners.Any(o => o.Uid == ownerUid)).Select(p => p.To<V1Pod>())];

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static V1OwnerReference Owner(string apiVersion, string kind, V1ObjectMeta meta) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = meta.Name,
        Uid = meta.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>A stable 10-character hash of the pod template, spelled in the alphabet the real controller uses.</summary>
    private static string TemplateHash(V1PodTemplateSpec template)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(template)));
        return string.Concat(digest.Take(10).Select(b => HashAlphabet[b % HashAlphabet.Length]));
    }
}
