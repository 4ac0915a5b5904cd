using System.Diagnostics.Metrics;

namespace Specific.JobsBot.Threads;

/// <summary>
/// The thread keeper's meter: how far threads lag behind jobs, what it posts, and how often Slack pushes back; and, from
/// its sweep of the store's unfinished jobs, how many jobs wait to run and for how long (for the stuck-jobs alert).
/// </summary>
public sealed class ThreadKeeperMetrics : IDisposable
{
    public const string MeterName = "Specific.JobsBot.Threads";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _posts;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _failures;
    private readonly UpDownCounter<long> _active;
    private long _waiting;
    private double _oldestWaitingSeconds;

    public ThreadKeeperMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _lag = _meter.CreateHistogram<double>("threads.lag", unit: "s", description: "Time from a job's change to its message or thread showing it.");
        _posts = _meter.CreateCounter<long>("threads.slack_calls", description: "Slack calls the keeper made, by kind.");
        _rateLimited = _meter.CreateCounter<long>("threads.rate_limited", description: "Slack 429 answers the keeper waited out.");
        _failures = _meter.CreateCounter<long>("threads.failures", description: "Slack calls that failed, by kind and error.");
        _active = _meter.CreateUpDownCounter<long>("threads.active", description: "Threads this keeper is writing now.");
        _meter.CreateObservableGauge(
            "jobs.waiting", () => Interlocked.Read(ref _waiting), unit: "{job}",
            description: "Jobs still pending or queued, as the keeper's last sweep of the store saw them (the same on every replica).");
        _meter.CreateObservableGauge(
            "jobs.oldest_waiting", () => Volatile.Read(ref _oldestWaitingSeconds), unit: "s",
            description: "How long ago the oldest job still pending or queued was recorded (0 when none), as of the keeper's last sweep.");
    }

    internal void Lag(TimeSpan value) => _lag.Record(Math.Max(0, value.TotalSeconds));

    internal void Call(string kind) => _posts.Add(1, new KeyValuePair<string, object?>("kind", kind));

    internal void RateLimited(string method) => _rateLimited.Add(1, new KeyValuePair<string, object?>("method", method));

    internal void Failure(string kind, string error) =>
        _failures.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("error", error));

    internal void Active(int delta) => _active.Add(delta);

    internal void Waiting(int count, TimeSpan oldest)
    {
        Interlocked.Exchange(ref _waiting, count);
        Volatile.Write(ref _oldestWaitingSeconds, Math.Max(0, oldest.TotalSeconds));
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
