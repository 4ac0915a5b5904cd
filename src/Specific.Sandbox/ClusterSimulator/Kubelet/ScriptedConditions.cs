namespace Specific.Sandbox.ClusterSimulator.Kubelet;

/// <summary>
/// The manifest-declared faults the simulator reproduces (see sandbox/README-simulator.md). Only the simulator
/// reads these; a real cluster ignores them.
/// </summary>
public static class ScriptedConditions
{
    /// <summary>Pod-template annotation that selects a scripted failure for the pod.</summary>
    public const string SimulateAnnotation = "sandbox.specific.dev/simulate";

    /// <summary>The image cannot be pulled: ErrImagePull, then ImagePullBackOff; the pod never starts.</summary>
    public const string ImagePullBackOff = "image-pull-backoff";

    /// <summary>The image has no shell: the container fails to start with StartError and exit code 128.</summary>
    public const string NoShell = "no-shell";

    /// <summary>
    /// Load without processes: a container whose command is <c>ticker &lt;n&gt;</c> prints <c>tick &lt;i&gt;/&lt;n&gt; at
    /// &lt;unix ms&gt;</c> once a second for n seconds into its pod log, as a process's output would go, then exits 0.
    /// Any other command runs as usual. For benchmarks with hundreds of live jobs.
    /// </summary>
    public const string Ticker = "ticker";

    /// <summary>
    /// On a Secret (metadata annotation <see cref="SimulateAnnotation"/>): reading it through the API is refused with 403,
    /// as RBAC refuses a client without <c>get</c> on secrets; pods still get its values, as the kubelet has its own access.
    /// </summary>
    public const string Forbidden = "forbidden";

    /// <summary>PVC annotation naming the node a ReadWriteOnce volume is attached to; pods elsewhere hit Multi-Attach.</summary>
    public const string AttachedToNodeAnnotation = "sandbox.specific.dev/attached-to-node";
}
