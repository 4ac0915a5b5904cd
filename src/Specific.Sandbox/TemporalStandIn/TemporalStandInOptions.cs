namespace Specific.Sandbox.TemporalStandIn;

/// <summary>Where the Temporal stand-in listens and how its clocks and long polls behave.</summary>
public sealed class TemporalStandInOptions
{
    /// <summary>The one namespace the stand-in serves, as a dev server's default.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>Loopback URL to bind (HTTP/2 plaintext); port 0 picks a free port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:7233";

    /// <summary>Drives activity and workflow task timeouts, retry backoff and workflow timers; real time unless a test swaps it.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>The longest a poll or history wait is held when the caller sent no earlier grpc-timeout.</summary>
    public TimeSpan LongPollLimit { get; set; } = TimeSpan.FromSeconds(60);
}
