using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Controllers;

/// <summary>
/// The default-scheduler, for every pod (a Deployment's and a Job's alike): binds it to a node that matches its
/// nodeSelector and required node affinity, or marks it Unschedulable with the scheduler's own words.
/// </summary>
internal sealed class Scheduler(ObjectStore store, EventRecorder events, SimulatorClock clock)
{
    public const string Component = "default-scheduler";

    public void Reconcile()
    {
        var nodes = store.List<V1Node>();
        // Bound and deleting pods are skipped on the stored metadata, without reading them in full.
        var unbound = store.Snapshot(ResourceTypes.Pods, null).Items.Where(p => p.Fields["spec.nodeName"].Length == 0 && !p.Deleting);
        foreach (var pod in unbound.Select(p => p.To<V1Pod>()))
        {
            if (pod.Spec.NodeName is not null || pod.Metadata.DeletionTimestamp is not null
                || pod.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true)
            {
                continue;
            }
            // A Deployment's pods meet the same rules as a Job's, as on Kubernetes: a Job built from a template that no
            // node takes is unschedulable because the service's own pods are.
            var candidates = nodes.Where(n => Fits(pod, n)).Select(n => n.Metadata.Name).ToList();
            if (candidates.Count == 0)
            {
                MarkUnschedulable(pod, nodes.Count);
                continue;
            }
            Bind(pod, Choose(pod, candidates));
        }
    }

    private string Choose(V1Pod pod, List<string> candidates)
    {
        var attachedTo = AttachedNodeOfClaims(pod);
        if (attachedTo is not null)
        {
            // The service's own pods sit where the volume is attached; anything else lands elsewhere, which is the caveat.
            var ownedByService = pod.Metadata.OwnerReferences?.Any(o => o.Kind == "ReplicaSet") == true;
            var preferred = ownedByService ? candidates.FirstOrDefault(c => c == attachedTo) : candidates.FirstOrDefault(c => c != attachedTo);
            if (preferred is not null)
            {
                return preferred;
            }
        }
        return candidates.Contains(SimulatedNodes.NodeA) ? SimulatedNodes.NodeA : candidates[0];
    }

    /// <summary>The node that a ReadWriteOnce claim this pod mounts is attached to, if the manifests say so.</summary>
    public string? AttachedNodeOfClaims(V1Pod pod)
    {
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            if (volume.PersistentVolumeClaim?.ClaimName is not { } claimName)
            {
                continue;
            }
            var claim = store.Get<V1PersistentVolumeClaim>(pod.Metadata.NamespaceProperty, claimName);
            if (claim?.Spec?.AccessModes?.Contains("ReadWriteOnce") == true
                && claim.Metadata.Annotations?.TryGetValue(Kubelet.ScriptedConditions.AttachedToNodeAnnotation, out var node) == true)
            {
                return node;
            }
        }
        return null;
    }

    private void Bind(V1Pod pod, string node)
    {
        var now = clock.UtcNow;
        var bound = store.Update<V1Pod>(pod.Metadata.NamespaceProperty, pod.Metadata.Name, p =>
        {
            if (p.Spec.NodeName is not null)
            {
                return false;
            }
            p.Spec.NodeName = node;
            p.Status ??= new V1PodStatus { Phase = "Pending" };
            p.Status.Conditions = [.. (p.Status.Conditions ?? []).Where(c => c.Type != "PodScheduled"),
                new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = now }];
            return true;
        });
        if (bound is not null)
        {
            events.Record(bound, EventRecorder.Normal, "Scheduled", $"Successfully assigned {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} to {node}", Component);
        }
    }

    private void MarkUnschedulable(V1Pod pod, int nodeCount)
    {
        var message = $"0/{nodeCount} nodes are available: {nodeCount} node(s) didn't match Pod's node affinity/selector. "
            + $"preemption: 0/{nodeCount} nodes are available: {nodeCount} Preemption is not helpful for scheduling.";
        var now = clock.UtcNow;
        var updated = store.Update<V1Pod>(pod.Metadata.NamespaceProperty, pod.Metadata.Name, p =>
        {
            p.Status ??= new V1PodStatus { Phase = "Pending" };
            p.Status.Conditions = [.. (p.Status.Conditions ?? []).Where(c => c.Type != "PodScheduled"),
                new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = message, LastTransitionTime = now }];
            return true;
        });
        if (updated is not null)
        {
            events.Record(updated, EventRecorder.Warning, "FailedScheduling", message, Component);
        }
    }

    private static bool Fits(V1Pod pod, V1Node node)
    {
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        if (pod.Spec.NodeSelector?.Any(kv => !labels.TryGetValue(kv.Key, out var v) || v != kv.Value) == true)
        {
            return false;
        }
        var terms = pod.Spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        return terms is not { Count: > 0 } || terms.Any(term => TermMatches(term, labels));
    }

    private static bool TermMatches(V1NodeSelectorTerm term, IDictionary<string, string> labels) =>
        (term.MatchExpressions ?? []).All(e =>
        {
            var has = labels.TryGetValue(e.Key, out var value);
            return e.OperatorProperty switch
            {
                "In" => has && e.Values.Contains(value!),
                "NotIn" => !has || !e.Values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                "Gt" => has && long.TryParse(value, out var gt) && gt > long.Parse(e.Values[0], System.Globalization.CultureInfo.InvariantCulture),
                "Lt" => has && long.TryParse(value, out var lt) && lt < long.Parse(e.Values[0], System.Globalization.CultureInfo.InvariantCulture),
                _ => false,
            };
        }) && (term.MatchExpressions?.Count ?? 0) + (term.MatchFields?.Count ?? 0) > 0;
}
