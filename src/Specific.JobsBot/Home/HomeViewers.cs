namespace Specific.JobsBot.Home;

/// <summary>
/// The people whose app_home_opened this replica saw, so their Home tab is republished when one of their jobs changes.
/// Bounded: past <see cref="HomeOptions.MaxViewers"/>, the one who opened Home longest ago is dropped (their tab is
/// published afresh the next time they open it). In memory only: after a restart nobody is followed until they open
/// Home again, which Slack reports every time they do, so a tab is at worst stale until it is next looked at.
/// </summary>
public sealed class HomeViewers(int capacity)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<string> _byOpened = new();
    private readonly Dictionary<string, LinkedListNode<string>> _nodes = new(StringComparer.Ordinal);

    /// <summary>How many people are followed.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Count;
            }
        }
    }

    /// <summary>Remembers that <paramref name="userId"/> opened Home now; returns the person dropped to make room, if any.</summary>
    public string? Opened(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        lock (_gate)
        {
            if (_nodes.TryGetValue(userId, out var known))
            {
                _byOpened.Remove(known);
                _byOpened.AddFirst(known);
                return null;
            }

            _nodes[userId] = _byOpened.AddFirst(userId);
            if (_nodes.Count <= capacity)
            {
                return null;
            }

            var oldest = _byOpened.Last!;
            _byOpened.RemoveLast();
            _nodes.Remove(oldest.Value);
            return oldest.Value;
        }
    }

    /// <summary>True when <paramref name="userId"/> opened Home and was not dropped since.</summary>
    public bool Contains(string? userId)
    {
        if (userId is null)
        {
            return false;
        }

        lock (_gate)
        {
            return _nodes.ContainsKey(userId);
        }
    }
}
