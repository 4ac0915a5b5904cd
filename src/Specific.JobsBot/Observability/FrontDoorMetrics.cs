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
    }

    // Slack's 3 s deadline sits between buckets, so a miss shows as its own bucket.
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];

    private readonly Meter meter;
    private readonly bool ownsMeter;
    private readonly Histogram<double> ackDuration;
    private readonly Counter<long> refused;

    public FrontDoorMetrics(IMeterFactory? meterFactory = null)
    {
        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        ackDuration = meter.CreateHistogram(
            "slack.ack.duration", unit: "s",
            description: "Time from a Slack request's arrival to the bot's answer, by kind and HTTP status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        refused = meter.CreateCounter<long>(
            "slack.front_door.refused", description: "Work the front door turned away because its queue was full (commands, clicks, submissions).");
    }

    /// <summary>Records one acknowledgement: <paramref name="kind"/> is a <see cref="Kinds"/> value.</summary>
    public void Acknowledged(string kind, int status, TimeSpan elapsed) =>
        ackDuration.Record(
            elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("kind", kind),
            new KeyValuePair<string, object?>("status", status));

    /// <summary>Records one piece of work not queued because the queue was full.</summary>
    public void Refused() => refused.Add(1);

    public void Dispose()
    {
        if (ownsMeter)
        {
            meter.Dispose();
        }
    }
}
