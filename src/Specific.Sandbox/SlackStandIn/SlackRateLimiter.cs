namespace Specific.Sandbox.SlackStandIn;

/// <summary>Token buckets per method (Slack's tiers, per workspace) and per channel for chat.postMessage.</summary>
internal sealed class SlackRateLimiter(SlackRateLimits limits, TimeProvider clock)
{
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Slack's documented tier for each method the stand-in serves.</summary>
    public static int TierOf(string method) => method switch
    {
        "chat.update" or "chat.delete" or "conversations.info" or "conversations.history" or "conversations.replies" or "conversations.join" => 3,
        "usergroups.users.list" => 2,
        _ => 4,
    };

    /// <summary>Takes one call from the buckets; returns how long to wait when a limit is exceeded.</summary>
    public TimeSpan? TryAcquire(string method, string? channel)
    {
        if (!limits.Enabled)
            return null;
        var now = clock.GetTimestamp();
        lock (_lock)
        {
            if (method == "chat.postMessage")
            {
                if (string.IsNullOrEmpty(channel))
                    return null;
                var perSecond = limits.PostMessagesPerSecondPerChannel * limits.Scale;
                return Take($"chat.postMessage:{channel}", perSecond, Math.Max(1, limits.PostMessageBurstPerChannel), now);
            }
            var perMinute = TierOf(method) switch
            {
                1 => limits.Tier1PerMinute,
                2 => limits.Tier2PerMinute,
                3 => limits.Tier3PerMinute,
                _ => limits.Tier4PerMinute,
            };
            return Take(method, perMinute * limits.Scale / 60.0, Math.Max(1, perMinute), now);
        }
    }

    private TimeSpan? Take(string key, double perSecond, double capacity, long now)
    {
        if (!_buckets.TryGetValue(key, out var bucket))
            _buckets[key] = bucket = new Bucket { Tokens = capacity, Updated = now };
        var elapsed = clock.GetElapsedTime(bucket.Updated, now).TotalSeconds;
        bucket.Tokens = Math.Min(capacity, bucket.Tokens + elapsed * perSecond);
        bucket.Updated = now;
        if (bucket.Tokens >= 1)
        {
            bucket.Tokens -= 1;
            return null;
        }
        return TimeSpan.FromSeconds((1 - bucket.Tokens) / perSecond);
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public long Updated { get; set; }
    }
}
