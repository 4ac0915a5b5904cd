using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Kubernetes;

public class CachedServiceCatalogTests
{
    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    private sealed class CountingCatalog : IServiceCatalog
    {
        public int Calls;
        public IReadOnlyList<string> Names { get; set; } = ["web"];
        public TaskCompletionSource? Gate { get; set; }

        public async Task<IReadOnlyList<string>> ListServicesAsync(string environment, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            return Names;
        }
    }

    [Fact]
    public async Task A_fresh_list_is_served_without_asking_kubernetes_again()
    {
        var live = new CountingCatalog();
        var catalog = new CachedServiceCatalog(live, Clock());
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(["web"], await catalog.ListServicesAsync("production", ct));
        Assert.Equal(["web"], await catalog.ListServicesAsync("production", ct));

        Assert.Equal(1, live.Calls);
    }

    [Fact]
    public async Task A_stale_list_is_answered_at_once_while_one_refresh_runs_behind_it()
    {
        var clock = Clock();
        var live = new CountingCatalog();
        var catalog = new CachedServiceCatalog(live, clock);
        var ct = TestContext.Current.CancellationToken;
        await catalog.ListServicesAsync("production", ct);

        clock.Advance(CachedServiceCatalog.Freshness);
        live.Names = ["web", "worker"];
        live.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await catalog.ListServicesAsync("production", ct);
        var second = await catalog.ListServicesAsync("production", ct);

        Assert.Equal(["web"], first);
        Assert.Equal(["web"], second);
        Assert.Equal(2, live.Calls);
        live.Gate.SetResult();
        Assert.Equal(["web", "worker"], await catalog.ListFreshServicesAsync("production", ct));
    }

    [Fact]
    public async Task Concurrent_cold_callers_share_one_request()
    {
        var live = new CountingCatalog { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var catalog = new CachedServiceCatalog(live, Clock());
        var ct = TestContext.Current.CancellationToken;

        var callers = Enumerable.Range(0, 8).Select(_ => catalog.ListServicesAsync("staging", ct)).ToArray();
        live.Gate.SetResult();
        await Task.WhenAll(callers);

        Assert.Equal(1, live.Calls);
    }

    [Fact]
    public async Task A_fresh_listing_asks_kubernetes_even_when_the_cache_is_fresh()
    {
        var live = new CountingCatalog();
        var catalog = new CachedServiceCatalog(live, Clock());
        var ct = TestContext.Current.CancellationToken;
        await catalog.ListServicesAsync("production", ct);

        live.Names = ["web", "just-deployed"];
        Assert.Equal(["web", "just-deployed"], await catalog.ListFreshServicesAsync("production", ct));
        Assert.Equal(["web", "just-deployed"], await catalog.ListServicesAsync("production", ct));
    }
}
