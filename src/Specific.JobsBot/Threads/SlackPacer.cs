using Specific.Slack.WebApi;

namespace Specific.JobsBot.Threads;

/// <summary>
/// Spaces the keeper's Slack calls: a per-channel rate for posts with a small burst, a per-method budget for Slack's
/// tiers, and a pause on a method after Slack answered 429 with Retry-After. Callers reserve a slot, then wait for it.
/// </summary>
/// <remarks>Each budget is a generic cell rate algorithm: a slot's time is the later of now and the theoretical arrival time less the burst.</remarks>
public sealed class SlackPacer
{
    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly TimeSpan channelInterval;
    private readonly TimeSpan channelTolerance;
    private readonly Dictionary<string, TimeSpan> methodIntervals;
    private readonly Dictionary<string, DateTimeOffset> channelArrival = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> methodArrival = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> pausedUntil = new(StringComparer.Ordinal);

    public SlackPacer(ThreadKeeperOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.time = time;
        channelInterval = TimeSpan.FromSeconds(1 / options.ChannelPostsPerSecond);
        channelTolerance = channelInterval * (options.ChannelBurst - 1);
        methodIntervals = options.MethodsPerMinute
            .Where(budget => budget.Value > 0)
            .ToDictionary(budget => budget.Key, budget => TimeSpan.FromMinutes(1) / budget.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Reserves the next slot for <paramref name="method"/> (and <paramref name="channel"/>, for calls that post into
    /// it) and returns how long to wait before calling.
    /// </summary>
    public TimeSpan Reserve(string method, string? channel)
    {
        TryReserve(method, channel, TimeSpan.MaxValue, out var wait);
        return wait;
    }

    /// <summary>
    /// Reserves the next slot only when it comes within <paramref name="maxWait"/>; either way
    /// <paramref name="wait"/> says how far off it is. A caller with other work does that work instead of queueing.
    /// </summary>
    public bool TryReserve(string method, string? channel, TimeSpan maxWait, out TimeSpan wait)
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            var at = now;
            if (pausedUntil.TryGetValue(method, out var paused) && paused > at)
            {
                at = paused;
            }
            if (channel is not null && pausedUntil.TryGetValue(ChannelKey(channel), out var channelPaused) && channelPaused > at)
            {
                at = channelPaused;
            }
            methodIntervals.TryGetValue(method, out var methodInterval);
            if (methodInterval > TimeSpan.Zero)
            {
                at = Later(at, Allowed(methodArrival, method, TimeSpan.Zero));
            }
            if (channel is not null)
            {
                at = Later(at, Allowed(channelArrival, channel, channelTolerance));
            }

            wait = at - now;
            if (wait > maxWait)
            {
                return false;
            }
            if (methodInterval > TimeSpan.Zero)
            {
                methodArrival[method] = Later(methodArrival.GetValueOrDefault(method), at) + methodInterval;
            }
            if (channel is not null)
            {
                channelArrival[channel] = Later(channelArrival.GetValueOrDefault(channel), at) + channelInterval;
            }
            return true;
        }
    }

    /// <summary>Slack said 429: nothing calls <paramref name="method"/> (or posts into <paramref name="channel"/>) before Retry-After.</summary>
    public void Pause(string method, string? channel, TimeSpan retryAfter)
    {
        lock (gate)
        {
            var until = time.GetUtcNow() + retryAfter;
            pausedUntil[method] = Later(pausedUntil.GetValueOrDefault(method), until);
            if (channel is not null && method == SlackWebClient.Methods.PostMessage)
            {
                var key = ChannelKey(channel);
                pausedUntil[key] = Later(pausedUntil.GetValueOrDefault(key), until);
            }
        }
    }

    private DateTimeOffset Allowed(Dictionary<string, DateTimeOffset> arrivals, string key, TimeSpan tolerance) =>
        arrivals.TryGetValue(key, out var arrival) ? arrival - tolerance : DateTimeOffset.MinValue;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string ChannelKey(string channel) => "channel:" + channel;
}
