namespace Specific.JobsBot.Home;

/// <summary>
/// When each person's Home tab may be published. Requests for one person coalesce: however many come in, one publish
/// follows, and it reads the store when it starts, so the latest state wins. A person gets at most one publish per
/// <c>perPerson</c> interval and never two at once, so an older view cannot land after a newer one (a request made
/// while a publish is out waits for it to finish and publishes again). Publishes across people keep at least
/// <c>workspaceGap</c> apart (Slack's Tier 4 budget); a 429 pauses the person and the workspace for its Retry-After.
/// </summary>
public sealed class HomePublishSchedule(TimeSpan perPerson, TimeSpan workspaceGap, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private DateTimeOffset _workspaceFree = DateTimeOffset.MinValue;

    private sealed class Entry
    {
        public bool Wanted;
        public bool Publishing;
        public DateTimeOffset NotBefore = DateTimeOffset.MinValue;
        public long RequestedOrder;
    }

    private long _order;

    /// <summary>How many people are waiting for a publish or within their interval (for tests and metrics).</summary>
    public int Tracked
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Asks for a publish of <paramref name="userId"/>'s tab; coalesced with any request not yet taken.</summary>
    public void Request(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        lock (_gate)
        {
            if (!_entries.TryGetValue(userId, out var entry))
            {
                _entries[userId] = entry = new Entry();
            }

            if (!entry.Wanted)
            {
                entry.Wanted = true;
                entry.RequestedOrder = ++_order;
            }
        }
    }

    /// <summary>
    /// The person whose publish is due now, marked as publishing, or null; <paramref name="wait"/> is how long until one
    /// may be due (<see cref="Timeout.InfiniteTimeSpan"/> when nobody waits, or everyone waiting has a publish out).
    /// </summary>
    public string? TakeDue(out TimeSpan wait)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            string? due = null;
            Entry? dueEntry = null;
            var soonest = DateTimeOffset.MaxValue;
            foreach (var (userId, entry) in _entries)
            {
                if (!entry.Wanted || entry.Publishing)
                {
                    continue;
                }

                if (entry.NotBefore > now)
                {
                    soonest = entry.NotBefore < soonest ? entry.NotBefore : soonest;
                }
                else if (dueEntry is null || entry.RequestedOrder < dueEntry.RequestedOrder)
                {
                    (due, dueEntry) = (userId, entry);
                }
            }

            Prune(now);
            if (dueEntry is null)
            {
                wait = soonest == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : soonest - now;
                return null;
            }

            if (_workspaceFree > now)
            {
                wait = _workspaceFree - now;
                return null;
            }

            dueEntry.Wanted = false;
            dueEntry.Publishing = true;
            dueEntry.NotBefore = now + perPerson;
            _workspaceFree = now + workspaceGap;
            wait = TimeSpan.Zero;
            return due;
        }
    }

    /// <summary>
    /// The publish of <paramref name="userId"/> ended. With <paramref name="retryAfter"/> it did not land and is wanted
    /// again no sooner than that (and, for a 429, the workspace waits as long: <paramref name="pauseWorkspace"/>).
    /// </summary>
    public void Done(string userId, TimeSpan? retryAfter = null, bool pauseWorkspace = false)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(userId, out var entry))
            {
                return;
            }

            entry.Publishing = false;
            if (retryAfter is { } after)
            {
                var now = time.GetUtcNow();
                var notBefore = now + after;
                entry.NotBefore = notBefore > entry.NotBefore ? notBefore : entry.NotBefore;
                if (!entry.Wanted)
                {
                    entry.Wanted = true;
                    entry.RequestedOrder = ++_order;
                }

                if (pauseWorkspace && notBefore > _workspaceFree)
                {
                    _workspaceFree = notBefore;
                }
            }
        }
    }

    /// <summary>Forgets people with nothing wanted, nothing out and their interval over: the schedule stays bounded.</summary>
    private void Prune(DateTimeOffset now)
    {
        List<string>? idle = null;
        foreach (var (userId, entry) in _entries)
        {
            if (!entry.Wanted && !entry.Publishing && entry.NotBefore <= now)
            {
                (idle ??= []).Add(userId);
            }
        }

        foreach (var userId in idle ?? [])
        {
            _entries.Remove(userId);
        }
    }
}
