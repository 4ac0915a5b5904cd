using System.Diagnostics.Metrics;

namespace Specific.JobsBot.Observability;

/// <summary>
/// The front door's meter: how long the bot takes to acknowledge what Slack sends (Slack allows 3 seconds), and how
/// much it turned away because its queue was full.
/// </summary>
public sealed class FrontDoorMetrics : IDisposable
{
    public const string MeterName = "Specific.JobsBot";

    /// <summary>The kinds of request the front door acknowledges.</summary>
    public static class Kinds
    {
        public const string Command = "command";
        public const string Interaction = "interaction";
        public const string Event = "event";
    }

    // Slack's 3 s deadline sits between buckets, so a miss shows as its own bucket.
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _ackDuration;
    private readonly Counter<long> _refused;

    public FrontDoorMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _ackDuration = _meter.CreateHistogram(
            "slack.ack.duration", unit: "s",
            description: "Time from a Slack request's arrival to the bot's answer, by kind and HTTP status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        _refused = _meter.CreateCounter<long>(
            "slack.front_door.refused", description: "Work the front door turned away because its queue was full (commands, clicks, submissions).");
    }

    /// <summary>Records one acknowledgement: <paramref name="kind"/> is a <see cref="Kinds"/> value.</summary>
    public void Acknowledged(string kind, int status, TimeSpan elapsed) =>
        _ackDuration.Record(
            elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("kind", kind),
            new KeyValuePair<string, object?>("status", status));

    /// <summary>Records one piece of work not queued because the queue was full.</summary>
    public void Refused() => _refused.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
