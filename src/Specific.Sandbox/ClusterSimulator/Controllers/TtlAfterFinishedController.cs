using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Controllers;

/// <summary>Deletes finished Jobs, in cascade, once ttlSecondsAfterFinished has passed on the simulator's clock.</summary>
internal sealed class TtlAfterFinishedController(ObjectStore store, GarbageCollector collector, SimulatorClock clock)
{
    public void Reconcile()
    {
        var now = clock.UtcNow;
        foreach (var job in store.List<V1Job>())
        {
            if (job.Spec?.TtlSecondsAfterFinished is not { } ttl || job.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }
            var finishedAt = job.Status?.Conditions?
                .Where(c => c.Type is "Complete" or "Failed" && c.Status == "True")
                .Select(c => c.LastTransitionTime)
                .FirstOrDefault();
            if (finishedAt is { } at && now >= at.AddSeconds(ttl))
            {
                try
                {
                    collector.Delete(ResourceTypes.Jobs, job.Metadata.NamespaceProperty, job.Metadata.Name, GarbageCollector.Background, null);
                }
                catch (ApiException)
                {
                    // Deleted by someone else in the meantime.
                }
            }
        }
    }
}
