using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Controllers;

/// <summary>Deletion with propagationPolicy, and the garbage collector that removes dependents whose owners are gone.</summary>
internal sealed class GarbageCollector(ObjectStore store, SimulatorClock clock)
{
    public const string Orphan = "Orphan";
    public const string Background = "Background";
    public const string Foreground = "Foreground";
    private const string ForegroundFinalizer = "foregroundDeletion";

    private static readonly ResourceType[] OwnedKinds = [ResourceTypes.Pods, ResourceTypes.ReplicaSets, ResourceTypes.Jobs, ResourceTypes.ConfigMaps, ResourceTypes.Secrets, ResourceTypes.PersistentVolumeClaims];

    /// <summary>Deletes one object as the API server would and returns the response body (the object, or a Success Status).</summary>
    public string Delete(ResourceType type, string ns, string name, string? policy, long? gracePeriodSeconds)
    {
        var json = store.GetJson(type, ns, name) ?? throw ApiException.NotFound(type, name);
        var obj = type.Deserialize(json);
        if (obj is V1Pod pod)
        {
            return DeletePod(pod, gracePeriodSeconds);
        }
        if (obj.Metadata.DeletionTimestamp is not null)
        {
            return json;
        }

        // batch/v1 Jobs orphan their pods by default, for compatibility; everything else cascades in the background.
        policy ??= type == ResourceTypes.Jobs ? Orphan : Background;
        var dependents = DependentsOf(obj.Metadata.Uid, ns);
        switch (policy)
        {
            case Orphan:
                foreach (var (dependentType, dependent) in dependents)
                {
                    DropOwner(dependentType, dependent, obj.Metadata.Uid);
                }
                return RemoveNow(type, obj);
            case Foreground when dependents.Count > 0:
                var marked = Mark(type, obj, ForegroundFinalizer);
                foreach (var (dependentType, dependent) in dependents)
                {
                    Delete(dependentType, ns, dependent.Metadata.Name, Foreground, null);
                }
                return marked;
            default:
                // Background: the owner goes now; the reconcile pass collects its dependents.
                return RemoveNow(type, obj);
        }
    }

    /// <summary>The API server's --event-ttl: events older than this are dropped.</summary>
    private static readonly TimeSpan EventTtl = TimeSpan.FromHours(1);

    /// <summary>When each event expires, read once per snapshot: reading thousands of events in full every pass does not scale.</summary>
    private readonly SnapshotMemo<DateTime?> _eventExpiry = new(stored =>
    {
        var e = stored.To<Corev1Event>();
        return (e.LastTimestamp ?? e.Metadata.CreationTimestamp) + EventTtl;
    });

    /// <summary>Collects dependents whose owners are all gone, finishes foreground deletions whose dependents are gone, and expires events.</summary>
    public void Reconcile()
    {
        var now = clock.UtcNow;
        foreach (var (stale, _) in _eventExpiry.Of(store.Snapshot(ResourceTypes.Events, null).Items).Where(e => e.Value < now))
        {
            store.Remove(ResourceTypes.Events, stale.Namespace, stale.Name);
        }

        // Only metadata matters here (uids, owners, finalizers), and the store keeps it apart from the JSON.
        var everything = ResourceTypes.All.SelectMany(type => store.Snapshot(type, null).Items).ToList();
        var live = everything.Select(o => o.Uid).ToHashSet();

        foreach (var type in OwnedKinds)
        {
            foreach (var stored in store.Snapshot(type, null).Items)
            {
                if (stored.Owners.Count > 0 && stored.Owners.All(o => !live.Contains(o.Uid)) && !stored.Deleting)
                {
                    TryDelete(type, stored);
                }
            }
        }

        foreach (var stored in everything.Where(o => o.Finalizers.Contains(ForegroundFinalizer)))
        {
            if (DependentsOf(stored.Uid, stored.Namespace).Count == 0)
            {
                store.Remove(stored.Type, stored.Namespace, stored.Name);
            }
        }
    }

    private void TryDelete(ResourceType type, StoredObject obj)
    {
        try
        {
            Delete(type, obj.Namespace, obj.Name, Background, null);
        }
        catch (ApiException)
        {
            // Someone else deleted it first; that is the outcome we wanted.
        }
    }

    private string DeletePod(V1Pod pod, long? gracePeriodSeconds)
    {
        var grace = gracePeriodSeconds ?? pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec?.TerminationGracePeriodSeconds ?? 30;
        var finished = pod.Status?.Phase is "Succeeded" or "Failed";
        if (grace <= 0 || pod.Spec?.NodeName is null || finished)
        {
            return store.Remove(ResourceTypes.Pods, pod.Metadata.NamespaceProperty, pod.Metadata.Name) ?? KubernetesJson.Serialize(pod);
        }
        // The kubelet sees the deletionTimestamp, stops the containers (SIGTERM, then SIGKILL at the deadline) and removes the pod.
        var updated = store.Update<V1Pod>(pod.Metadata.NamespaceProperty, pod.Metadata.Name, p =>
        {
            if (p.Metadata.DeletionTimestamp is not null && p.Metadata.DeletionGracePeriodSeconds <= grace)
            {
                return false;
            }
            p.Metadata.DeletionTimestamp = clock.UtcNow.AddSeconds(grace);
            p.Metadata.DeletionGracePeriodSeconds = grace;
            return true;
        });
        return KubernetesJson.Serialize(updated ?? pod);
    }

    private List<(ResourceType Type, IKubernetesObject<V1ObjectMeta> Object)> DependentsOf(string uid, string ns)
    {
        var dependents = new List<(ResourceType, IKubernetesObject<V1ObjectMeta>)>();
        foreach (var type in OwnedKinds)
        {
            foreach (var stored in store.Snapshot(type, ns).Items)
            {
                if (stored.Owners.Any(o => o.Uid == uid))
                {
                    dependents.Add((type, stored.ToModel()));
                }
            }
        }
        return dependents;
    }

    private void DropOwner(ResourceType type, IKubernetesObject<V1ObjectMeta> dependent, string ownerUid)
    {
        var current = store.GetJson(type, dependent.Metadata.NamespaceProperty ?? "", dependent.Metadata.Name);
        if (current is null)
        {
            return;
        }
        var obj = type.Deserialize(current);
        obj.Metadata.OwnerReferences = [.. obj.Metadata.OwnerReferences.Where(o => o.Uid != ownerUid)];
        if (obj.Metadata.OwnerReferences.Count == 0)
        {
            obj.Metadata.OwnerReferences = null;
        }
        obj.Metadata.ResourceVersion = null;
        store.Replace(type, obj);
    }

    private string Mark(ResourceType type, IKubernetesObject<V1ObjectMeta> obj, string finalizer)
    {
        obj.Metadata.Finalizers = [.. obj.Metadata.Finalizers ?? [], finalizer];
        obj.Metadata.ResourceVersion = null;
        store.Replace(type, obj);
        // Replace keeps the stored deletionTimestamp, so set it through a second, explicit write.
        return store.SetDeletionTimestamp(type, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name, clock.UtcNow)!;
    }

    private string RemoveNow(ResourceType type, IKubernetesObject<V1ObjectMeta> obj)
    {
        store.Remove(type, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);
        var status = new V1Status
        {
            ApiVersion = "v1",
            Kind = "Status",
            Metadata = new V1ListMeta(),
            Status = "Success",
            Details = new V1StatusDetails
            {
                Name = obj.Metadata.Name,
                Group = type.Group.Length == 0 ? null : type.Group,
                Kind = type.Plural,
                Uid = obj.Metadata.Uid,
            },
        };
        return StatusJson.Serialize(status);
    }
}
