using Specific.Jobs;

namespace Specific.JobsBot.Hosting;

/// <summary>Where the bot listens and how it stops. Bound from "Bot"; checked at start by <see cref="BotOptionsValidator"/>.</summary>
public sealed record BotOptions
{
    public const string Section = "Bot";

    public const string DefaultUrl = "http://127.0.0.1:3000";

    /// <summary>Bot:Url, the address Kestrel binds and Slack (or the stand-in) posts to.</summary>
    public string Url { get; init; } = DefaultUrl;

    /// <summary>
    /// Bot:ManagementUrl, a second listener for /healthz, /readyz and /metrics only (Kubernetes probes, Prometheus);
    /// unset, they are served on <see cref="Url"/>.
    /// </summary>
    public string? ManagementUrl { get; init; }

    /// <summary>Bot:Engine, how the bot role runs flows: Temporal (the default), or InProcess for a single replica without a worker.</summary>
    public JobEngineMode Engine { get; init; } = JobEngineMode.Temporal;

    /// <summary>
    /// Bot:ShutdownTimeout, how long a stop may take in all: the drain delay, the front-door queue and the thread
    /// keeper's hand-off. Keep it below the pod's terminationGracePeriodSeconds.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// Bot:DrainDelay, how long the bot keeps answering after SIGTERM while /readyz says it is stopping, so the load
    /// balancer takes it out before it refuses anything. Zero (the default) off Kubernetes; the manifests set 5 s.
    /// </summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.Zero;

    /// <summary>The address of <see cref="ManagementUrl"/> as a host pattern that matches its port, or null when unset.</summary>
    internal string? ManagementHostPattern =>
        Uri.TryCreate(ManagementUrl, UriKind.Absolute, out var uri) ? $"*:{uri.Port}" : null;
}
