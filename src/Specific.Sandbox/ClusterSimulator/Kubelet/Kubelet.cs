using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Controllers;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Kubelet;

/// <summary>
/// The kubelet of both simulated nodes: starts each bound pod (a Job's first container as a local process, a
/// Deployment's pods as Running without one), plays the scripted conditions, and stops pods on delete.
/// </summary>
internal sealed class Kubelet(ObjectStore store, EventRecorder events, Scheduler scheduler, PodLogs logs, SimulatorClock clock, ILogger logger) : IAsyncDisposable
{
    public const string Component = "kubelet";

    /// <summary>The PATH a container's process runs with, as on a node.</summary>
    public const string HostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly ConcurrentDictionary<string, PodWorker> _workers = new();
    /// <summary>Pods a worker was started for (read and written on the controller loop only): a pod runs once.</summary>
    private readonly HashSet<string> _started = [];
    private readonly CancellationTokenSource _shutdown = new();
    private int _podCount;

    public ObjectStore Store { get; } = store;

    public EventRecorder Events { get; } = events;

    public Scheduler Scheduler { get; } = scheduler;

    public PodLogs Logs { get; } = logs;

    public SimulatorClock Clock { get; } = clock;

    public ILogger Logger { get; } = logger;

    /// <summary>Resolves a container's env and envFrom against the store's ConfigMaps and Secrets.</summary>
    public EnvironmentResolver EnvironmentResolver { get; } = new(store);

    /// <summary>Cancelled when the kubelet shuts down; every pod worker stops with it.</summary>
    public CancellationToken ShuttingDown => _shutdown.Token;

    /// <summary>Called by a pod's worker once it has finished with the pod.</summary>
    public void Forget(string podUid) => _workers.TryRemove(podUid, out _);

    public void Reconcile()
    {
        var pods = Store.Snapshot(ResourceTypes.Pods, null).Items.Where(p => p.Fields["spec.nodeName"].Length > 0).ToList();
        var live = pods.Select(p => p.Uid).ToHashSet();
        Logs.ForgetAllExcept(live);
        _started.IntersectWith(live);
        // Decided on the stored metadata; a pod is read in full only when something is to be done with it.
        foreach (var stored in pods)
        {
            if (stored.Deleting)
            {
                if (_workers.TryGetValue(stored.Uid, out var running))
                {
                    running.RequestStop(stored.To<V1Pod>());
                }
                else
                {
                    Store.Remove(ResourceTypes.Pods, stored.Namespace, stored.Name);
                }
                continue;
            }
            // The snapshot may predate a worker's last status write: without _started a pod that just ended would run again.
            if (stored.Fields["status.phase"] is "Succeeded" or "Failed" || _workers.ContainsKey(stored.Uid) || !_started.Add(stored.Uid))
            {
                continue;
            }
            var pod = stored.To<V1Pod>();
            var worker = new PodWorker(this, pod, Interlocked.Increment(ref _podCount));
            if (_workers.TryAdd(pod.Metadata.Uid, worker))
            {
                worker.Start();
            }
        }
        foreach (var (uid, worker) in _workers)
        {
            if (!live.Contains(uid))
            {
                // Force-deleted (grace period 0) or removed: no grace left, as with --force.
                worker.KillNow();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        foreach (var worker in _workers.Values)
        {
            worker.KillNow();
        }
        await Task.WhenAll(_workers.Values.Select(w => w.Completion)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _shutdown.Dispose();
    }
}
