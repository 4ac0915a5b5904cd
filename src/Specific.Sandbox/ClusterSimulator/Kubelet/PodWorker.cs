using k8s.Models;
using Microsoft.Extensions.Logging;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Controllers;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Kubelet;

/// <summary>One pod's lifecycle on its node, from image pull to the last log line.</summary>
internal sealed class PodWorker(Kubelet kubelet, V1Pod pod, int index)
{
    private readonly PodStatusReporter _status = new(kubelet.Store, kubelet.Clock, pod, index);
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(kubelet.ShuttingDown);
    private readonly Lock _gate = new();
    private ContainerProcess? _process;
    private bool _stopping;
    private bool _finished;

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>The pod as last stored (its resourceVersion goes into the events recorded about it).</summary>
    private V1Pod Pod => _status.Pod;

    private string Namespace => Pod.Metadata.NamespaceProperty;
    private string Name => Pod.Metadata.Name;
    private string Node => Pod.Spec.NodeName;
    private V1Container Primary => Pod.Spec.Containers[0];

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
            foreach (var container in Pod.Spec.Containers)
            {
                kubelet.Events.Record(Pod, EventRecorder.Normal, "Killing", $"Stopping container {container.Name}", Kubelet.Component, Node, $"spec.containers{{{container.Name}}}");
            }
            process.Terminate();
            try
            {
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(grace);
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
            await LifecycleAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Deleted or shut down while waiting.
        }
        catch (Exception e)
        {
            kubelet.Logger.LogError(e, "Kubelet failed running pod {Namespace}/{Pod}", Namespace, Name);
        }
        finally
        {
            lock (_gate)
            {
                _process?.Dispose();
            }
            kubelet.Logs.Open(Pod.Metadata.Uid, Primary.Name).Close();
            if (_stopping || _stop.IsCancellationRequested)
            {
                // The pod was deleted: once its containers are gone, the API object goes too.
                kubelet.Store.Remove(ResourceTypes.Pods, Namespace, Name);
            }
            kubelet.Forget(Pod.Metadata.Uid);
            lock (_gate)
            {
                _finished = true;
                _stop.Dispose();
            }
        }
    }

    private async Task LifecycleAsync(CancellationToken cancellationToken)
    {
        var simulate = Maps.ValueOf(Pod.Metadata.Annotations, ScriptedConditions.SimulateAnnotation);
        var ownedByService = Pod.Metadata.OwnerReferences?.Any(o => o.Kind == "ReplicaSet") == true;

        if (kubelet.Scheduler.AttachedNodeOfClaims(Pod) is { } attachedTo && attachedTo != Node && !ownedByService)
        {
            await MultiAttachAsync(cancellationToken);
            return;
        }
        if (ownedByService || Primary.Command is not { Count: > 0 })
        {
            // A service's pod (or a container that relies on its image's entrypoint) is shown running; nothing runs locally.
            foreach (var container in Pod.Spec.Containers)
            {
                RecordContainerStart(container, pulled: false);
            }
            _status.SetRunning();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return;
        }
        if (simulate == ScriptedConditions.ImagePullBackOff)
        {
            await ImagePullBackOffAsync(cancellationToken);
            return;
        }

        Record(EventRecorder.Normal, "Pulling", $"Pulling image \"{Primary.Image}\"");
        Record(EventRecorder.Normal, "Pulled", $"Successfully pulled image \"{Primary.Image}\" in 812ms (812ms including waiting). Image size: 52428800 bytes.");

        Dictionary<string, string> env;
        try
        {
            env = kubelet.EnvironmentResolver.Resolve(Pod, Primary);
        }
        catch (ContainerConfigException e)
        {
            _status.SetWaiting("CreateContainerConfigError", e.Message, sandboxReady: true);
            Record(EventRecorder.Warning, "Failed", $"Error: {e.Message}");
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return;
        }

        var argv = (Primary.Command ?? []).Concat(Primary.Args ?? []).Select(a => EnvironmentResolver.Expand(a, env)).ToList();
        var executable = simulate == ScriptedConditions.NoShell ? null : ContainerProcess.Locate(argv[0], Kubelet.HostPath);
        if (executable is null)
        {
            var message = "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: "
                + $"unable to start container process: exec: \"{argv[0]}\": executable file not found in $PATH: unknown";
            Record(EventRecorder.Normal, "Created", $"Created container: {Primary.Name}");
            Record(EventRecorder.Warning, "Failed", $"Error: {message}");
            _status.SetTerminated(128, "StartError", message, startedAt: DateTime.UnixEpoch);
            return;
        }

        var processEnv = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = Kubelet.HostPath,
            ["HOSTNAME"] = Name,
            ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
            ["KUBERNETES_SERVICE_PORT"] = "443",
        };
        foreach (var (key, value) in env)
        {
            processEnv[key] = value;
        }

        Record(EventRecorder.Normal, "Created", $"Created container: {Primary.Name}");
        var log = kubelet.Logs.Open(Pod.Metadata.Uid, Primary.Name);
        if (simulate == ScriptedConditions.Ticker && TickerLines(argv) is { } lines)
        {
            await TickAsync(log, lines, cancellationToken);
            return;
        }
        ContainerProcess process;
        lock (_gate)
        {
            cancellationToken.ThrowIfCancellationRequested();
            process = _process = ContainerProcess.Start(argv, processEnv);
        }
        kubelet.Logger.LogInformation("Pod {Namespace}/{Pod} runs {Command} as process {Pid}", Namespace, Name, string.Join(' ', argv), process.Id);
        Record(EventRecorder.Normal, "Started", $"Started container {Primary.Name}");
        _status.SetRunning();

        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, log), PumpAsync(process.StandardError, log));
        var exitCode = await process.WaitForExitAsync(CancellationToken.None);
        await pumps.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        log.Close();
        _status.SetTerminated(exitCode, exitCode == 0 ? "Completed" : "Error", null, _status.StartedAt ?? kubelet.Clock.UtcNow);
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
        _status.SetRunning();
        var start = kubelet.Clock.UtcNow;
        for (var i = 1; i <= lines; i++)
        {
            var due = start + TimeSpan.FromSeconds(i - 1);
            var wait = due - kubelet.Clock.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            var now = kubelet.Clock.UtcNow;
            var printedAt = new DateTimeOffset(now, TimeSpan.Zero).ToUnixTimeMilliseconds();
            log.Append(new LogLine(now, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"tick {i}/{lines} at {printedAt}")));
        }
        log.Close();
        _status.SetTerminated(0, "Completed", null, _status.StartedAt ?? kubelet.Clock.UtcNow);
    }

    private async Task PumpAsync(StreamReader reader, ContainerLog log)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            log.Append(new LogLine(kubelet.Clock.UtcNow, line));
        }
    }

    private async Task ImagePullBackOffAsync(CancellationToken cancellationToken)
    {
        var image = Primary.Image;
        var pullError = $"rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found";
        _status.SetWaiting("ContainerCreating", null, sandboxReady: true);
        // The kubelet retries the pull with a doubling back-off (10 s up to 5 min); repeats fold into event counts.
        for (var backoff = TimeSpan.FromSeconds(10); ; backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(5).Ticks)))
        {
            Record(EventRecorder.Normal, "Pulling", $"Pulling image \"{image}\"");
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            Record(EventRecorder.Warning, "Failed", $"Failed to pull image \"{image}\": {pullError}");
            Record(EventRecorder.Warning, "Failed", "Error: ErrImagePull");
            _status.SetWaiting("ErrImagePull", pullError, sandboxReady: true);
            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
            Record(EventRecorder.Normal, "BackOff", $"Back-off pulling image \"{image}\"");
            Record(EventRecorder.Warning, "Failed", "Error: ImagePullBackOff");
            _status.SetWaiting("ImagePullBackOff", $"Back-off pulling image \"{image}\": ErrImagePull: {pullError}", sandboxReady: true);
            await Task.Delay(backoff, cancellationToken);
        }
    }

    private async Task MultiAttachAsync(CancellationToken cancellationToken)
    {
        var claims = (Pod.Spec.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null).ToList();
        foreach (var volume in claims)
        {
            var claim = kubelet.Store.Get<V1PersistentVolumeClaim>(Namespace, volume.PersistentVolumeClaim.ClaimName);
            if (Maps.ValueOf(claim?.Metadata.Annotations, ScriptedConditions.AttachedToNodeAnnotation) is not { } attachedTo || claim is null || attachedTo == Node)
            {
                continue;
            }
            var volumeName = claim.Spec.VolumeName ?? $"pvc-{claim.Metadata.Uid}";
            var users = kubelet.Store.List<V1Pod>(Namespace)
                .Where(p => p.Spec.NodeName == attachedTo && p.Metadata.Uid != Pod.Metadata.Uid
                    && (p.Spec.Volumes ?? []).Any(v => v.PersistentVolumeClaim?.ClaimName == claim.Metadata.Name))
                .Select(p => p.Metadata.Name)
                .ToList();
            var detail = users.Count > 0
                ? $"Volume is already used by pod(s) {string.Join(", ", users)}"
                : "Volume is already exclusively attached to one node and can't be attached to another";
            kubelet.Events.Record(Pod, EventRecorder.Warning, "FailedAttachVolume", $"Multi-Attach error for volume \"{volumeName}\" {detail}", "attachdetach-controller");
        }
        _status.SetWaiting("ContainerCreating", null, sandboxReady: false);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    private void Record(string type, string reason, string message) =>
        kubelet.Events.Record(Pod, type, reason, message, Kubelet.Component, Node, $"spec.containers{{{Primary.Name}}}");

    private void RecordContainerStart(V1Container container, bool pulled)
    {
        var fieldPath = $"spec.containers{{{container.Name}}}";
        if (!pulled)
        {
            kubelet.Events.Record(Pod, EventRecorder.Normal, "Pulled", $"Container image \"{container.Image}\" already present on machine", Kubelet.Component, Node, fieldPath);
        }
        kubelet.Events.Record(Pod, EventRecorder.Normal, "Created", $"Created container: {container.Name}", Kubelet.Component, Node, fieldPath);
        kubelet.Events.Record(Pod, EventRecorder.Normal, "Started", $"Started container {container.Name}", Kubelet.Component, Node, fieldPath);
    }
}
