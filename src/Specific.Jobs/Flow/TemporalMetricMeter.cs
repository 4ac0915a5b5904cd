using System.Diagnostics;
using System.Diagnostics.Metrics;
using Temporalio.Runtime;

namespace Specific.Jobs.Flow;

/// <summary>
/// The Temporal SDK's own metrics (poll, task and request counters and latencies of the Rust core) as .NET instruments
/// on the meter <see cref="MeterName"/>, so the bot's OpenTelemetry pipeline exports them with its own (Prometheus, OTLP).
/// </summary>
public sealed class TemporalMetricMeter : ICustomMetricMeter, IDisposable
{
    /// <summary>The meter the SDK's instruments are created on.</summary>
    public const string MeterName = "Temporalio";

    private readonly Meter _meter;

    public TemporalMetricMeter(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
    }

    /// <summary>Durations go out as float seconds, the unit Prometheus and OpenTelemetry conventions expect.</summary>
    public static CustomMetricMeterOptions Options { get; } =
        new() { HistogramDurationFormat = CustomMetricMeterOptions.DurationFormat.FloatSeconds };

    public ICustomMetricCounter<T> CreateCounter<T>(string name, string? unit, string? description)
        where T : struct => new CounterOf<T>(_meter.CreateCounter<T>(name, unit, description));

    public ICustomMetricHistogram<T> CreateHistogram<T>(string name, string? unit, string? description)
        where T : struct => new HistogramOf<T>(_meter.CreateHistogram<T>(name, unit, description));

    public ICustomMetricGauge<T> CreateGauge<T>(string name, string? unit, string? description)
        where T : struct => new GaugeOf<T>(_meter.CreateGauge<T>(name, unit, description));

    public object CreateTags(object? appendFrom, IReadOnlyCollection<KeyValuePair<string, object>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var existing = appendFrom as KeyValuePair<string, object?>[] ?? [];
        var merged = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in existing)
        {
            merged[key] = value;
        }

        foreach (var (key, value) in tags)
        {
            merged[key] = value;
        }

        return merged.ToArray();
    }

    public void Dispose() => _meter.Dispose();

    private static TagList TagsOf(object tags) => new(((KeyValuePair<string, object?>[])tags).AsSpan());

    private sealed class CounterOf<T>(Counter<T> counter) : ICustomMetricCounter<T>
        where T : struct
    {
        public void Add(T value, object tags) => counter.Add(value, TagsOf(tags));
    }

    private sealed class HistogramOf<T>(Histogram<T> histogram) : ICustomMetricHistogram<T>
        where T : struct
    {
        public void Record(T value, object tags) => histogram.Record(value, TagsOf(tags));
    }

    private sealed class GaugeOf<T>(Gauge<T> gauge) : ICustomMetricGauge<T>
        where T : struct
    {
        public void Set(T value, object tags) => gauge.Record(value, TagsOf(tags));
    }
}
