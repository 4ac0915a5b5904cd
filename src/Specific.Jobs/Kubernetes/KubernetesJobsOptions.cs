using System.ComponentModel.DataAnnotations;

namespace Specific.Jobs.Kubernetes;

/// <summary>How the engine reaches Kubernetes and how long it waits for a Job's pod. Bound from the "Kubernetes" section.</summary>
public sealed class KubernetesJobsOptions
{
    public const string Section = "Kubernetes";

    /// <summary>When set, every environment talks to this API server (for example the sandbox simulator, http://127.0.0.1:3002).</summary>
    public string? Host { get; set; }

    /// <summary>The kubeconfig to read when <see cref="Host"/> is unset and we do not run in a pod; null means ~/.kube/config or $KUBECONFIG.</summary>
    public string? KubeConfigPath { get; set; }

    /// <summary>The kubeconfig context for environments that name none; null means the current context.</summary>
    public string? Context { get; set; }

    /// <summary>The backstop: a pod still not running after this long ends the job as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long ErrImagePull/ImagePullBackOff may persist before the job fails (a registry hiccup heals on its own).</summary>
    public TimeSpan ImagePullGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a pod may stay unschedulable before the job fails, unless the cluster autoscaler is adding a node.</summary>
    public TimeSpan UnschedulableGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long CreateContainerConfigError (a missing ConfigMap or Secret) may persist before the job fails.</summary>
    public TimeSpan ContainerConfigGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a deleted pod waits for its Job's Failed condition (DeadlineExceeded) before it counts as deleted from outside.</summary>
    public TimeSpan PodDeletionGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a pod that has not started is re-examined (its events, the grace periods, the start bound).</summary>
    public TimeSpan PendingCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this many log lines go to the observer at once.</summary>
    /// <remarks>Large, because every append has a fixed cost (a transaction, a COPY's round trips); a slow log still goes out after <see cref="LogBatchMaxDelay"/>.</remarks>
    [Range(1, 10_000)]
    public int LogBatchMaxLines { get; set; } = 2_000;

    /// <summary>A log line waits at most this long before its batch goes to the observer.</summary>
    public TimeSpan LogBatchMaxDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Extra seconds asked for when a log stream resumes, so clock skew never loses a line (the overlap is skipped).</summary>
    public TimeSpan LogResumeOverlap { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After the command ends, how long to wait for the rest of its log before giving up on it.</summary>
    public TimeSpan LogDrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The pause before a dropped watch or log stream is opened again.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The server closes a watch after this long; we then list and watch again.</summary>
    [Range(1, 3600)]
    public int WatchTimeoutSeconds { get; set; } = 300;
}
