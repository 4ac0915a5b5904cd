using System.Diagnostics.Metrics;

namespace Specific.Slack.WebApi;

/// <summary>Counts Web API calls and rate-limit answers on the "Specific.Slack" meter.</summary>
public sealed class SlackMetrics : IDisposable
{
    public const string MeterName = "Specific.Slack";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _rateLimited;
    private readonly Histogram<double> _duration;

    public SlackMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _calls = _meter.CreateCounter<long>("slack.api.calls", description: "Slack Web API calls, by method and outcome.");
        _rateLimited = _meter.CreateCounter<long>("slack.api.rate_limited", description: "Slack Web API calls answered 429.");
        _duration = _meter.CreateHistogram<double>("slack.api.duration", unit: "s", description: "Slack Web API call duration.");
    }

    internal void Record(string method, string outcome, TimeSpan elapsed)
    {
        var methodTag = new KeyValuePair<string, object?>("method", method);
        _calls.Add(1, methodTag, new KeyValuePair<string, object?>("outcome", outcome));
        _duration.Record(elapsed.TotalSeconds, methodTag);
        if (outcome == Outcomes.RateLimited)
        {
            _rateLimited.Add(1, methodTag);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
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
