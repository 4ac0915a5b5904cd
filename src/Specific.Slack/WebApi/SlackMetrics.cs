using System.Diagnostics.Metrics;

namespace Specific.Slack.WebApi;

/// <summary>Counts Web API calls and rate-limit answers on the "Specific.Slack" meter.</summary>
public sealed class SlackMetrics : IDisposable
{
    public const string MeterName = "Specific.Slack";

    private readonly Meter meter;
    private readonly bool ownsMeter;
    private readonly Counter<long> calls;
    private readonly Counter<long> rateLimited;
    private readonly Histogram<double> duration;

    public SlackMetrics(IMeterFactory? meterFactory = null)
    {
        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        calls = meter.CreateCounter<long>("slack.api.calls", description: "Slack Web API calls, by method and outcome.");
        rateLimited = meter.CreateCounter<long>("slack.api.rate_limited", description: "Slack Web API calls answered 429.");
        duration = meter.CreateHistogram<double>("slack.api.duration", unit: "s", description: "Slack Web API call duration.");
    }

    internal void Record(string method, string outcome, TimeSpan elapsed)
    {
        var methodTag = new KeyValuePair<string, object?>("method", method);
        calls.Add(1, methodTag, new KeyValuePair<string, object?>("outcome", outcome));
        duration.Record(elapsed.TotalSeconds, methodTag);
        if (outcome == Outcomes.RateLimited)
        {
            rateLimited.Add(1, methodTag);
        }
    }

    public void Dispose()
    {
        if (ownsMeter)
        {
            meter.Dispose();
        }
    }

    internal static class Outcomes
    {
        public const string Ok = "ok";
        public const string Error = "error";
        public const string RateLimited = "rate_limited";
        public const string Transient = "transient";
    }
}
