using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
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
    private const string HostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly ObjectStore store = store;
    private readonly EventRecorder events = events;
    private readonly Scheduler scheduler = scheduler;
    private readonly PodLogs logs = logs;
    private readonly SimulatorClock clock = clock;
    private readonly ILogger logger = logger;
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new();
    /// <summary>Pods a worker was started for (read and written on the controller loop only): a pod runs once.</summary>
    private readonly HashSet<string> _started = [];
    private readonly CancellationTokenSource _shutdown = new();
    private readonly EnvironmentResolver _environment = new(store);
    private int _podCount;

    public void Reconcile()
    {
        var pods = store.Snapshot(ResourceTypes.Pods, null).Items.Where(p => p.Fields["spec.nodeName"].Length > 0).ToList();
        var live = pods.Select(p => p.Uid).ToHashSet();
        logs.ForgetAllExcept(live);
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
                    store.Remove(ResourceTypes.Pods, stored.Namespace, stored.Name);
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
        await _shutdown.CancelAsync().ConfigureAwait(false);
        foreach (var worker in _workers.Values)
        {
            worker.KillNow();
        }
        await Task.WhenAll(_workers.Values.Select(w => w.Completion)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _shutdown.Dispose();
    }

    /// <summary>One pod's lifecycle on its node, from image pull to the last log line.</summary>
    private sealed class PodWorker(Kubelet kubelet, V1Pod pod, int index)
    {
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(kubelet._shutdown.Token);
        private readonly Lock _gate = new();
        private ContainerProcess? _process;
        private bool _stopping;
        private bool _finished;
        private DateTime? _startedAt;
        private string? _containerId;

        public Task Completion { get; private set; } = Task.CompletedTask;

        private string Namespace => pod.Metadata.NamespaceProperty;
        private string Name => pod.Metadata.Name;
        private string Node => pod.Spec.NodeName;
        private V1Container Primary => pod.Spec.Containers[0];

        public void Start() => Completion = Task.Run(RunAsync);

        /// <summary>A graceful delete: SIGTERM now, SIGKILL when the grace period runs out.</summary>
        public void RequestStop(V1Pod deleting)
        {
            lock (_gate)
            {
                if (_stopping)
                {
                    return;
                }
                _stopping = true;
            }
            var grace = TimeSpan.FromSeconds(deleting.Metadata.DeletionGracePeriodSeconds ?? 30);
            _ = Task.Run(async () =>
            {
                ContainerProcess? process;
                lock (_gate)
                {
                    process = _process;
                }
                if (process is null || process.HasExited)
                {
                    lock (_gate)
                    {
                        if (!_finished)
                        {
                            _stop.Cancel();
                        }
                    }
                    return;
                }
                foreach (var container in pod.Spec.Containers)
                {
                    kubelet.events.Record(pod, EventRecorder.Normal, "Killing", $"Stopping container {container.Name}", Component, Node, $"spec.containers{{{container.Name}}}");
                }
                process.Terminate();
                try
                {
                    await process.WaitForExitAsync(CancellationToken.None).WaitAsync(grace).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    process.Kill();
                }
            });
        }

        public void KillNow()
        {
            lock (_gate)
            {
                _stopping = true;
                _process?.Kill();
                if (!_finished)
                {
                    _stop.Cancel();
                }
            }
        }

        private async Task RunAsync()
        {
            try
            {
                await LifecycleAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Deleted or shut down while waiting.
            }
            catch (Exception e)
            {
                kubelet.logger.LogError(e, "Kubelet failed running pod {Namespace}/{Pod}", Namespace, Name);
            }
            finally
            {
                lock (_gate)
                {
                    _process?.Dispose();
                }
                kubelet.logs.Open(pod.Metadata.Uid, Primary.Name).Close();
                if (_stopping || _stop.IsCancellationRequested)
                {
                    // The pod was deleted: once its containers are gone, the API object goes too.
                    kubelet.store.Remove(ResourceTypes.Pods, Namespace, Name);
                }
                kubelet._workers.TryRemove(pod.Metadata.Uid, out _);
                lock (_gate)
                {
                    _finished = true;
                    _stop.Dispose();
                }
            }
        }

        private async Task LifecycleAsync(CancellationToken cancellationToken)
        {
            var simulate = Maps.ValueOf(pod.Metadata.Annotations, ScriptedConditions.SimulateAnnotation);
            var ownedByService = pod.Metadata.OwnerReferences?.Any(o => o.Kind == "ReplicaSet") == true;

            if (kubelet.scheduler.AttachedNodeOfClaims(pod) is { } attachedTo && attachedTo != Node && !ownedByService)
            {
                await MultiAttachAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            if (ownedByService || Primary.Command is not { Count: > 0 })
            {
                // A service's pod (or a container that relies on its image's entrypoint) is shown running; nothing runs locally.
                foreach (var container in pod.Spec.Containers)
                {
                    RecordContainerStart(container, pulled: false);
                }
                SetRunning();
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (simulate == ScriptedConditions.ImagePullBackOff)
            {
                await ImagePullBackOffAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            Record(EventRecorder.Normal, "Pulling", $"Pulling image \"{Primary.Image}\"");
            Record(EventRecorder.Normal, "Pulled", $"Successfully pulled image \"{Primary.Image}\" in 812ms (812ms including waiting). Image size: 52428800 bytes.");

            Dictionary<string, string> env;
            try
            {
                env = kubelet._environment.Resolve(pod, Primary);
            }
            catch (ContainerConfigException e)
            {
                SetWaiting("CreateContainerConfigError", e.Message, sandboxReady: true);
                Record(EventRecorder.Warning, "Failed", $"Error: {e.Message}");
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                return;
            }

            var argv = (Primary.Command ?? []).Concat(Primary.Args ?? []).Select(a => EnvironmentResolver.Expand(a, env)).ToList();
            var executable = simulate == ScriptedConditions.NoShell ? null : ContainerProcess.Locate(argv[0], HostPath);
            if (executable is null)
            {
                var message = "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: "
                    + $"unable to start container process: exec: \"{argv[0]}\": executable file not found in $PATH: unknown";
                Record(EventRecorder.Normal, "Created", $"Created container: {Primary.Name}");
                Record(EventRecorder.Warning, "Failed", $"Error: {message}");
                SetTerminated(128, "StartError", message, startedAt: DateTime.UnixEpoch);
                return;
            }

            var processEnv = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["PATH"] = HostPath,
                ["HOSTNAME"] = Name,
                ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
                ["KUBERNETES_SERVICE_PORT"] = "443",
            };
            foreach (var (key, value) in env)
            {
                processEnv[key] = value;
            }

            Record(EventRecorder.Normal, "Created", $"Created container: {Primary.Name}");
            var log = kubelet.logs.Open(pod.Metadata.Uid, Primary.Name);
            if (simulate == ScriptedConditions.Ticker && TickerLines(argv) is { } lines)
            {
                await TickAsync(log, lines, cancellationToken).ConfigureAwait(false);
                return;
            }
            ContainerProcess process;
            lock (_gate)
            {
                cancellationToken.ThrowIfCancellationRequested();
                process = _process = ContainerProcess.Start(argv, processEnv);
            }
            kubelet.logger.LogInformation("Pod {Namespace}/{Pod} runs {Command} as process {Pid}", Namespace, Name, string.Join(' ', argv), process.Id);
            Record(EventRecorder.Normal, "Started", $"Started container {Primary.Name}");
            SetRunning();

            var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, log), PumpAsync(process.StandardError, log));
            var exitCode = await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await pumps.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            log.Close();
            SetTerminated(exitCode, exitCode == 0 ? "Completed" : "Error", null, _startedAt ?? kubelet.clock.UtcNow);
        }

        /// <summary>n from a command that is exactly <c>ticker &lt;n&gt;</c> (after <c>sh -c</c>), else null.</summary>
        private static int? TickerLines(IReadOnlyList<string> argv)
        {
            var words = argv[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return words is ["ticker", var count] && int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 86_400
                ? n
                : null;
        }

        /// <summary>The ticker workload: one line a second on a fixed schedule, each carrying the moment it was printed.</summary>
        private async Task TickAsync(ContainerLog log, int lines, CancellationToken cancellationToken)
        {
            Record(EventRecorder.Normal, "Started", $"Started container {Primary.Name}");
            SetRunning();
            var start = kubelet.clock.UtcNow;
            for (var i = 1; i <= lines; i++)
            {
                var due = start + TimeSpan.FromSeconds(i - 1);
                var wait = due - kubelet.clock.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
                var now = kubelet.clock.UtcNow;
                var printedAt = new DateTimeOffset(now, TimeSpan.Zero).ToUnixTimeMilliseconds();
                log.Append(new LogLine(now, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"tick {i}/{lines} at {printedAt}")));
            }
            log.Close();
            SetTerminated(0, "Completed", null, _startedAt ?? kubelet.clock.UtcNow);
        }

        private async Task PumpAsync(StreamReader reader, ContainerLog log)
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                log.Append(new LogLine(kubelet.clock.UtcNow, line));
            }
        }

        private async Task ImagePullBackOffAsync(CancellationToken cancellationToken)
        {
            var image = Primary.Image;
            var pullError = $"rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found";
            SetWaiting("ContainerCreating", null, sandboxReady: true);
            // The kubelet retries the pull with a doubling back-off (10 s up to 5 min); repeats fold into event counts.
            for (var backoff = TimeSpan.FromSeconds(10); ; backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(5).Ticks)))
            {
                Record(EventRecorder.Normal, "Pulling", $"Pulling image \"{image}\"");
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
                Record(EventRecorder.Warning, "Failed", $"Failed to pull image \"{image}\": {pullError}");
                Record(EventRecorder.Warning, "Failed", "Error: ErrImagePull");
                SetWaiting("ErrImagePull", pullError, sandboxReady: true);
                await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken).ConfigureAwait(false);
                Record(EventRecorder.Normal, "BackOff", $"Back-off pulling image \"{image}\"");
                Record(EventRecorder.Warning, "Failed", "Error: ImagePullBackOff");
                SetWaiting("ImagePullBackOff", $"Back-off pulling image \"{image}\": ErrImagePull: {pullError}", sandboxReady: true);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task MultiAttachAsync(CancellationToken cancellationToken)
        {
            var claims = (pod.Spec.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null).ToList();
            foreach (var volume in claims)
            {
                var claim = kubelet.store.Get<V1PersistentVolumeClaim>(Namespace, volume.PersistentVolumeClaim.ClaimName);
                if (Maps.ValueOf(claim?.Metadata.Annotations, ScriptedConditions.AttachedToNodeAnnotation) is not { } attachedTo || claim is null || attachedTo == Node)
                {
                    continue;
                }
                var volumeName = claim.Spec.VolumeName ?? $"pvc-{claim.Metadata.Uid}";
                var users = kubelet.store.List<V1Pod>(Namespace)
                    .Where(p => p.Spec.NodeName == attachedTo && p.Metadata.Uid != pod.Metadata.Uid
                        && (p.Spec.Volumes ?? []).Any(v => v.PersistentVolumeClaim?.ClaimName == claim.Metadata.Name))
                    .Select(p => p.Metadata.Name)
                    .ToList();
                var detail = users.Count > 0
                    ? $"Volume is already used by pod(s) {string.Join(", ", users)}"
                    : "Volume is already exclusively attached to one node and can't be attached to another";
                kubelet.events.Record(pod, EventRecorder.Warning, "FailedAttachVolume", $"Multi-Attach error for volume \"{volumeName}\" {detail}", "attachdetach-controller");
            }
            SetWaiting("ContainerCreating", null, sandboxReady: false);
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        private void Record(string type, string reason, string message) =>
            kubelet.events.Record(pod, type, reason, message, Component, Node, $"spec.containers{{{Primary.Name}}}");

        private void RecordContainerStart(V1Container container, bool pulled)
        {
            var fieldPath = $"spec.containers{{{container.Name}}}";
            if (!pulled)
            {
                kubelet.events.Record(pod, EventRecorder.Normal, "Pulled", $"Container image \"{container.Image}\" already present on machine", Component, Node, fieldPath);
            }
            kubelet.events.Record(pod, EventRecorder.Normal, "Created", $"Created container: {container.Name}", Component, Node, fieldPath);
            kubelet.events.Record(pod, EventRecorder.Normal, "Started", $"Started container {container.Name}", Component, Node, fieldPath);
        }

        private void SetWaiting(string reason, string? message, bool sandboxReady)
        {
            var now = kubelet.clock.UtcNow;
            UpdateStatus(status =>
            {
                status.Phase = "Pending";
                status.StartTime ??= now;
                status.ContainerStatuses = [.. pod.Spec.Containers.Select(c => new V1ContainerStatus
                {
                    Name = c.Name,
                    Image = c.Image,
                    ImageID = "",
                    Ready = false,
                    Started = false,
                    RestartCount = 0,
                    State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } },
                    LastState = new V1ContainerState(),
                })];
                SetConditions(status, now, sandboxReady, ready: false, "ContainersNotReady", $"containers with unready status: [{string.Join(" ", pod.Spec.Containers.Select(c => c.Name))}]");
            });
        }

        private void SetRunning()
        {
            var now = kubelet.clock.UtcNow;
            _startedAt = now;
            _containerId = NewContainerId();
            UpdateStatus(status =>
            {
                status.Phase = "Running";
                status.StartTime ??= now;
                status.ContainerStatuses = [.. pod.Spec.Containers.Select((c, i) => RunningStatus(c, now, i == 0 ? _containerId : NewContainerId()))];
                SetConditions(status, now, sandboxReady: true, ready: true, null, null);
            });
        }

        private V1ContainerStatus RunningStatus(V1Container container, DateTime startedAt, string containerId) => new()
        {
            Name = container.Name,
            Image = container.Image,
            ImageID = ImageId(container.Image),
            ContainerID = containerId,
            Ready = true,
            Started = true,
            RestartCount = 0,
            State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = startedAt } },
            LastState = new V1ContainerState(),
        };

        private void SetTerminated(int exitCode, string reason, string? message, DateTime startedAt)
        {
            var now = kubelet.clock.UtcNow;
            var containerId = _containerId ?? NewContainerId();
            UpdateStatus(status =>
            {
                var primary = new V1ContainerStatus
                {
                    Name = Primary.Name,
                    Image = Primary.Image,
                    ImageID = ImageId(Primary.Image),
                    ContainerID = containerId,
                    Ready = false,
                    Started = false,
                    RestartCount = 0,
                    State = new V1ContainerState
                    {
                        Terminated = new V1ContainerStateTerminated
                        {
                            ExitCode = exitCode,
                            Reason = reason,
                            Message = message,
                            StartedAt = startedAt,
                            FinishedAt = now,
                            ContainerID = containerId,
                        },
                    },
                    LastState = new V1ContainerState(),
                };
                var others = (status.ContainerStatuses ?? []).Where(s => s.Name != Primary.Name).ToList();
                status.ContainerStatuses = [primary, .. others];
                // A regular sidecar keeps running, and so does the pod, as it would in a real cluster.
                var sidecarsRunning = others.Any(s => s.State?.Running is not null);
                status.Phase = sidecarsRunning ? "Running" : exitCode == 0 && reason == "Completed" ? "Succeeded" : "Failed";
                var terminalReason = exitCode == 0 ? "PodCompleted" : "PodFailed";
                SetConditions(status, now, sandboxReady: !sidecarsRunning ? false : true, ready: false,
                    sidecarsRunning ? "ContainersNotReady" : terminalReason,
                    sidecarsRunning ? $"containers with unready status: [{Primary.Name}]" : null);
            });
        }

        private void SetConditions(V1PodStatus status, DateTime now, bool sandboxReady, bool ready, string? reason, string? message)
        {
            var scheduled = status.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled")
                ?? new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = now };
            V1PodCondition Keep(string type, string value, string? why = null, string? what = null)
            {
                var existing = status.Conditions?.FirstOrDefault(c => c.Type == type);
                return existing is not null && existing.Status == value && existing.Reason == why
                    ? existing
                    : new V1PodCondition { Type = type, Status = value, Reason = why, Message = what, LastTransitionTime = now };
            }
            status.Conditions =
            [
                Keep("PodReadyToStartContainers", sandboxReady ? "True" : "False"),
                Keep("Initialized", "True"),
                Keep("Ready", ready ? "True" : "False", reason, message),
                Keep("ContainersReady", ready ? "True" : "False", reason, message),
                scheduled,
            ];
            status.HostIP = Node == SimulatedNodes.NodeA ? "10.0.0.11" : "10.0.0.12";
            status.HostIPs = [new V1HostIP { Ip = status.HostIP }];
            if (sandboxReady || status.PodIP is not null)
            {
                status.PodIP ??= SimulatedNodes.PodIp(Node, index);
                status.PodIPs = [new V1PodIP { Ip = status.PodIP }];
            }
            status.QosClass ??= "BestEffort";
        }

        private void UpdateStatus(Action<V1PodStatus> change)
        {
            var updated = kubelet.store.Update<V1Pod>(Namespace, Name, p =>
            {
                change(p.Status ??= new V1PodStatus());
                return true;
            });
            if (updated is not null)
            {
                pod = updated;
            }
        }

        private static string NewContainerId() => "containerd://" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

        private static string ImageId(string image) =>
            $"{image.Split(':')[0]}@sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image)))}";
    }
}
