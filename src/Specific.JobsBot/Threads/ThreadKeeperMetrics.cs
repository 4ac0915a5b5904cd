using System.Diagnostics.Metrics;

namespace Specific.JobsBot.Threads;

/// <summary>The thread keeper's meter: how far threads lag behind jobs, what it posts, and how often Slack pushes back.</summary>
public sealed class ThreadKeeperMetrics : IDisposable
{
    public const string MeterName = "Specific.JobsBot.Threads";

    private readonly Meter meter;
    private readonly bool ownsMeter;
    private readonly Histogram<double> lag;
    private readonly Counter<long> posts;
    private readonly Counter<long> rateLimited;
    private readonly Counter<long> failures;
    private readonly UpDownCounter<long> active;

    public ThreadKeeperMetrics(IMeterFactory? meterFactory = null)
    {
        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        lag = meter.CreateHistogram<double>("threads.lag", unit: "s", description: "Time from a job's change to its message or thread showing it.");
        posts = meter.CreateCounter<long>("threads.slack_calls", description: "Slack calls the keeper made, by kind.");
        rateLimited = meter.CreateCounter<long>("threads.rate_limited", description: "Slack 429 answers the keeper waited out.");
        failures = meter.CreateCounter<long>("threads.failures", description: "Slack calls that failed, by kind and error.");
        active = meter.CreateUpDownCounter<long>("threads.active", description: "Threads this keeper is writing now.");
    }

    internal void Lag(TimeSpan value) => lag.Record(Math.Max(0, value.TotalSeconds));

    internal void Call(string kind) => posts.Add(1, new KeyValuePair<string, object?>("kind", kind));

    internal void RateLimited(string method) => rateLimited.Add(1, new KeyValuePair<string, object?>("method", method));

    internal void Failure(string kind, string error) =>
        failures.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("error", error));

    internal void Active(int delta) => active.Add(delta);

    public void Dispose()
    {
        if (ownsMeter)
        {
            meter.Dispose();
        }
    }
}
