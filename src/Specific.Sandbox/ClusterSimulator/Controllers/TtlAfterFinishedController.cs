using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Controllers;

/// <summary>Deletes finished Jobs, in cascade, once ttlSecondsAfterFinished has passed on the simulator's clock.</summary>
internal sealed class TtlAfterFinishedController(ObjectStore store, GarbageCollector collector, SimulatorClock clock)
{
    /// <summary>When each Job snapshot is due for deletion, if ever; read once per snapshot, as most Jobs do not change between passes.</summary>
    private readonly SnapshotMemo<DateTime?> _due = new(stored =>
    {
        var job = stored.To<V1Job>();
        if (job.Spec?.TtlSecondsAfterFinished is not { } ttl || job.Metadata.DeletionTimestamp is not null)
        {
            return null;
        }
        var finishedAt = job.Status?.Conditions?
            .Where(c => c.Type is "Complete" or "Failed" && c.Status == "True")
            .Select(c => c.LastTransitionTime)
            .FirstOrDefault();
        return finishedAt?.AddSeconds(ttl);
    });

    public void Reconcile()
    {
        var now = clock.UtcNow;
        foreach (var (job, due) in _due.Of(store.Snapshot(ResourceTypes.Jobs, null).Items))
        {
            if (due is { } at && now >= at)
            {
                try
                {
                    collector.Delete(ResourceTypes.Jobs, job.Namespace, job.Name, GarbageCollector.Background, null);
                }
                catch (ApiException)
                {
                    // Deleted by someone else in the meantime.
                }
            }
        }
    }
}
