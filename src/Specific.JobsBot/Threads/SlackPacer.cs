using Specific.Slack.WebApi;

namespace Specific.JobsBot.Threads;

/// <summary>
/// Spaces the keeper's Slack calls: a per-channel rate for posts with a small burst, a per-method budget for Slack's
/// tiers, and a pause on a method after Slack answered 429 with Retry-After. Callers reserve a slot, then wait for it:
/// the method's first, then, for a post, the channel's.
/// </summary>
/// <remarks>Each budget is a generic cell rate algorithm: a slot's time is the later of now and the theoretical arrival time less the burst.</remarks>
public sealed class SlackPacer
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _channelInterval;
    private readonly TimeSpan _channelTolerance;
    private readonly Dictionary<string, TimeSpan> _methodIntervals;
    private readonly Dictionary<string, DateTimeOffset> _channelArrival = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _methodArrival = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _pausedUntil = new(StringComparer.Ordinal);

    public SlackPacer(ThreadKeeperOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _channelInterval = TimeSpan.FromSeconds(1 / options.ChannelPostsPerSecond);
        _channelTolerance = _channelInterval * (options.ChannelBurst - 1);
        _methodIntervals = options.MethodsPerMinute
            .Where(budget => budget.Value > 0)
            .ToDictionary(budget => budget.Key, budget => TimeSpan.FromMinutes(1) / budget.Value, StringComparer.Ordinal);
    }

    /// <summary>Reserves the next slot of <paramref name="method"/>'s workspace budget and returns how long to wait for it.</summary>
    public TimeSpan ReserveMethod(string method)
    {
        TryReserveMethod(method, TimeSpan.MaxValue, out var wait);
        return wait;
    }

    /// <summary>
    /// Reserves the next slot of <paramref name="method"/>'s workspace budget only when it comes within
    /// <paramref name="maxWait"/>; either way <paramref name="wait"/> says how far off it is. A caller with other work
    /// does that work instead of queueing.
    /// </summary>
    public bool TryReserveMethod(string method, TimeSpan maxWait, out TimeSpan wait)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var at = Later(now, _pausedUntil.GetValueOrDefault(method));
            _methodIntervals.TryGetValue(method, out var interval);
            if (interval > TimeSpan.Zero)
            {
                at = Later(at, Allowed(_methodArrival, method, TimeSpan.Zero));
            }
            wait = at - now;
            if (wait > maxWait)
            {
                return false;
            }
            if (interval > TimeSpan.Zero)
            {
                _methodArrival[method] = at + interval;
            }
            return true;
        }
    }

    /// <summary>
    /// Reserves the next post into <paramref name="channel"/> and returns how long to wait for it. Callers take their
    /// method's slot first and this one after it has come, so a long wait for a workspace budget never pushes the
    /// channel's schedule ahead and holds up the other threads posting into it.
    /// </summary>
    public TimeSpan ReserveChannel(string channel)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var at = Later(Later(now, _pausedUntil.GetValueOrDefault(ChannelKey(channel))), Allowed(_channelArrival, channel, _channelTolerance));
            _channelArrival[channel] = Later(_channelArrival.GetValueOrDefault(channel), at) + _channelInterval;
            return at - now;
        }
    }

    /// <summary>Slack said 429: nothing calls <paramref name="method"/> (or posts into <paramref name="channel"/>) before Retry-After.</summary>
    public void Pause(string method, string? channel, TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var until = _time.GetUtcNow() + retryAfter;
            _pausedUntil[method] = Later(_pausedUntil.GetValueOrDefault(method), until);
            if (channel is not null && method == SlackWebClient.Methods.PostMessage)
            {
                var key = ChannelKey(channel);
                _pausedUntil[key] = Later(_pausedUntil.GetValueOrDefault(key), until);
            }
        }
    }

    private DateTimeOffset Allowed(Dictionary<string, DateTimeOffset> arrivals, string key, TimeSpan tolerance) =>
        arrivals.TryGetValue(key, out var arrival) ? arrival - tolerance : DateTimeOffset.MinValue;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string ChannelKey(string channel) => "channel:" + channel;
}
