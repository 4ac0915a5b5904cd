namespace Specific.Sandbox.SlackStandIn;

/// <summary>What a fault does to a Web API call.</summary>
public enum SlackFaultKind
{
    /// <summary>HTTP 429, Retry-After, error "ratelimited".</summary>
    RateLimited,

    /// <summary>HTTP 500 with an HTML-ish body, as an overloaded edge answers.</summary>
    ServerError,

    /// <summary>The answer is delayed, then given normally.</summary>
    Slow,

    /// <summary>The connection is aborted without an answer.</summary>
    DropConnection,
}

/// <summary>Faults tests switch on: 429 storms, 500s, slow answers and dropped connections, per method or for all.</summary>
public sealed class SlackFaults
{
    private readonly List<Rule> _rules = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;

    internal SlackFaults(TimeProvider clock) => _clock = clock;

    /// <summary>The next <paramref name="count"/> calls (of <paramref name="method"/>, or any) get 429.</summary>
    public void RateLimitNext(int count, string? method = null, int retryAfterSeconds = 1) =>
        Add(new Rule(SlackFaultKind.RateLimited, method, count, null, TimeSpan.FromSeconds(retryAfterSeconds)));

    /// <summary>Every call (of <paramref name="method"/>, or any) gets 429 for <paramref name="duration"/>.</summary>
    public void RateLimitFor(TimeSpan duration, string? method = null, int retryAfterSeconds = 1) =>
        Add(new Rule(SlackFaultKind.RateLimited, method, null, _clock.GetUtcNow() + duration, TimeSpan.FromSeconds(retryAfterSeconds)));

    /// <summary>The next <paramref name="count"/> calls answer HTTP 500.</summary>
    public void ServerErrorNext(int count, string? method = null) =>
        Add(new Rule(SlackFaultKind.ServerError, method, count, null, TimeSpan.Zero));

    /// <summary>The next <paramref name="count"/> calls are answered after <paramref name="delay"/>.</summary>
    public void SlowNext(int count, TimeSpan delay, string? method = null) =>
        Add(new Rule(SlackFaultKind.Slow, method, count, null, delay));

    /// <summary>The next <paramref name="count"/> calls lose their connection.</summary>
    public void DropNext(int count, string? method = null) =>
        Add(new Rule(SlackFaultKind.DropConnection, method, count, null, TimeSpan.Zero));

    /// <summary>Switches every fault off.</summary>
    public void Clear()
    {
        lock (_lock)
            _rules.Clear();
    }

    internal (SlackFaultKind Kind, TimeSpan Amount)? Take(string method)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            _rules.RemoveAll(r => r.Until is { } until && until <= now);
            var rule = _rules.FirstOrDefault(r => r.Method is null || r.Method == method);
            if (rule is null)
                return null;
            if (rule.Remaining is { } remaining)
            {
                rule.Remaining = remaining - 1;
                if (rule.Remaining <= 0)
                    _rules.Remove(rule);
            }
            return (rule.Kind, rule.Amount);
        }
    }

    private void Add(Rule rule)
    {
        lock (_lock)
            _rules.Add(rule);
    }

    private sealed class Rule(SlackFaultKind kind, string? method, int? remaining, DateTimeOffset? until, TimeSpan amount)
    {
        public SlackFaultKind Kind { get; } = kind;

        public string? Method { get; } = method;

        public int? Remaining { get; set; } = remaining;

        public DateTimeOffset? Until { get; } = until;

        public TimeSpan Amount { get; } = amount;
    }
}
