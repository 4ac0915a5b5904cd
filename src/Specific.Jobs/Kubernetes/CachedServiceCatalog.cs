using System.Collections.Concurrent;

namespace Specific.Jobs.Kubernetes;

/// <summary>
/// Keeps each environment's service names for the front door, so that acknowledging a command never waits on the
/// Kubernetes API: a fresh list is served from memory, a stale one is served while one refresh runs behind it, and
/// only a cold environment (or a name the list does not have, via <see cref="ListFreshServicesAsync"/>) waits.
/// </summary>
public sealed class CachedServiceCatalog(IServiceCatalog live, TimeProvider time) : IServiceCatalog
{
    /// <summary>How long a list is served without asking Kubernetes again.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Listing> _listings = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<IReadOnlyList<string>>> _refreshes = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<string>> ListServicesAsync(string environment, CancellationToken cancellationToken)
    {
        if (_listings.TryGetValue(environment, out var listing))
        {
            if (time.GetUtcNow() - listing.At >= Freshness)
            {
                // Stale: serve it now, refresh once in the background; a failed refresh keeps the old list.
                _ = Refresh(environment).ContinueWith(
                    static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            return listing.Names;
        }

        return await Refresh(environment).WaitAsync(cancellationToken);
    }

    /// <summary>Asks Kubernetes now (one request shared by concurrent callers) and keeps the answer.</summary>
    public Task<IReadOnlyList<string>> ListFreshServicesAsync(string environment, CancellationToken cancellationToken) =>
        Refresh(environment).WaitAsync(cancellationToken);

    private Task<IReadOnlyList<string>> Refresh(string environment)
    {
        lock (_gate)
        {
            if (_refreshes.TryGetValue(environment, out var running))
            {
                return running;
            }

            // A fetch that completed at once has already run its finally; only one still running is shared.
            var fetch = FetchAsync(environment);
            if (!fetch.IsCompleted)
            {
                _refreshes[environment] = fetch;
            }

            return fetch;
        }
    }

    private async Task<IReadOnlyList<string>> FetchAsync(string environment)
    {
        try
        {
            // Not tied to one caller's token: the answer serves every caller waiting on it.
            var names = await live.ListServicesAsync(environment, CancellationToken.None);
            _listings[environment] = new Listing(names, time.GetUtcNow());
            return names;
        }
        finally
        {
            lock (_gate)
            {
                _refreshes.Remove(environment);
            }
        }
    }

    private sealed record Listing(IReadOnlyList<string> Names, DateTimeOffset At);
}
