using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Specific.JobsBot.Hosting.Health;

/// <summary>
/// Each readiness check as GET /readyz last answered it, as a gauge an alert can hold: the kubelet probes every few
/// seconds, so the store, Temporal, Slack's token and the Socket Mode connection are seen without a call of their own.
/// </summary>
public sealed class ReadinessMetrics : IDisposable
{
    public const string MeterName = "Specific.JobsBot.Readiness";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Gauge<double> _check;

    public ReadinessMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _check = _meter.CreateGauge<double>(
            "readiness.check", description: "Each /readyz check as last answered, by check: 1 healthy, 0.5 degraded, 0 unhealthy.");
    }

    /// <summary>Records every check of one /readyz answer.</summary>
    public void Record(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var (name, entry) in report.Entries)
        {
            var value = entry.Status switch
            {
                HealthStatus.Healthy => 1.0,
                HealthStatus.Degraded => 0.5,
                _ => 0.0,
            };
            _check.Record(value, new KeyValuePair<string, object?>("check", name));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
