namespace Specific.JobsBot.Observability;

/// <summary>Where metrics are served. Bound from "Observability"; OTLP export follows the standard OTEL_* variables.</summary>
public sealed record ObservabilityOptions
{
    public const string Section = "Observability";

    public const string DefaultMetricsPath = "/metrics";

    /// <summary>Observability:Prometheus, serve the Prometheus text format at <see cref="MetricsPath"/> (on by default).</summary>
    public bool Prometheus { get; init; } = true;

    /// <summary>Observability:MetricsPath, where Prometheus scrapes; on the management listener when Bot:ManagementUrl is set.</summary>
    public string MetricsPath { get; init; } = DefaultMetricsPath;
}
