namespace Specific.Slack.SocketMode;

/// <summary>
/// Exponential backoff with equal jitter and a cap: attempt n waits between half and all of base·2ⁿ (at most the cap),
/// so replicas that lost Slack together do not come back in lock-step.
/// </summary>
public static class SocketModeBackoff
{
    /// <summary>The wait before reconnect attempt <paramref name="attempt"/> (0 for the first).</summary>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        ArgumentNullException.ThrowIfNull(random);
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        var half = ceiling / 2;
        return TimeSpan.FromMilliseconds(half + random.NextDouble() * half);
    }
}
