using k8s;
using k8s.Models;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>Watches with real resourceVersion semantics: resume, 410 Gone after compaction, and dropped streams.</summary>
public sealed class WatchTests
{
    [Fact]
    public async Task Watch_resumed_from_a_resource_version_sees_only_later_changes()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("before"), TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        var list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("after"), TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        var seen = new List<(WatchEventType, string)>();
        await foreach (var (type, cm) in cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync(TestCluster.Namespace,
                           resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            seen.Add((type, cm.Metadata.Name));
            if (cm.Metadata.Name == "after")
            {
                break;
            }
        }

        Assert.Equal([(WatchEventType.Added, "after")], seen);
        Assert.True(long.Parse(list.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > 1);
    }

    [Fact]
    public async Task Watch_from_a_compacted_resource_version_reports_410_Gone_through_onError()
    {
        await using var cluster = await TestCluster.StartAsync();
        var list = await cluster.Client.BatchV1.ListNamespacedJobAsync(TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        await cluster.CreateJobAsync(TestCluster.ShellJob("after-list", "true"));
        cluster.Simulator.CompactHistory();

        Exception? error = null;
        var events = 0;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        await foreach (var _ in cluster.Client.BatchV1.WatchListNamespacedJobAsync(TestCluster.Namespace,
                           resourceVersion: list.Metadata.ResourceVersion, onError: e => error = e, cancellationToken: cts.Token))
        {
            events++;
        }

        Assert.Equal(0, events);
        var gone = Assert.IsType<KubernetesException>(error);
        Assert.Equal(410, gone.Status.Code);
        Assert.Equal("Expired", gone.Status.Reason);
        Assert.StartsWith($"too old resource version: {list.Metadata.ResourceVersion} (", gone.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changes_older_than_the_history_window_are_forgotten()
    {
        var options = new Specific.Sandbox.ClusterSimulator.ClusterSimulatorOptions { Url = "http://127.0.0.1:0", WatchHistoryWindow = TimeSpan.FromMilliseconds(300) };
        await using var simulator = await Specific.Sandbox.ClusterSimulator.ClusterSimulator.StartAsync(options, cancellationToken: TestContext.Current.CancellationToken);
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = simulator.BaseUrl.ToString().TrimEnd('/') });
        var old = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: TestContext.Current.CancellationToken);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("first"), "default", cancellationToken: TestContext.Current.CancellationToken);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("second"), "default", cancellationToken: TestContext.Current.CancellationToken);

        Exception? error = null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        await foreach (var _ in client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: old.Metadata.ResourceVersion, onError: e => error = e, cancellationToken: cts.Token))
        {
            Assert.Fail("no event should be replayed from forgotten history");
        }

        Assert.Equal(410, Assert.IsType<KubernetesException>(error).Status.Code);
    }

    [Fact]
    public async Task Dropped_watches_end_the_stream_without_an_error()
    {
        await using var cluster = await TestCluster.StartAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        Exception? error = null;
        var watching = new TaskCompletionSource();
        var names = new List<string>();

        var watch = Task.Run(async () =>
        {
            await foreach (var (_, cm) in cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync(TestCluster.Namespace, onError: e => error = e, cancellationToken: cts.Token))
            {
                names.Add(cm.Metadata.Name);
                watching.TrySetResult();
            }
        }, cts.Token);
        await watching.Task.WaitAsync(cts.Token);
        cluster.Simulator.DropWatches();
        await watch.WaitAsync(cts.Token);

        Assert.Null(error);
        Assert.Contains("web-config", names);
    }

    [Fact]
    public async Task Label_and_field_selectors_filter_lists_and_watches()
    {
        await using var cluster = await TestCluster.StartAsync();
        var pods = await cluster.Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app in (web, worker),tier!=backend", cancellationToken: TestContext.Current.CancellationToken);
        var running = await cluster.Client.CoreV1.ListNamespacedPodAsync("staging", fieldSelector: "status.phase=Running", cancellationToken: TestContext.Current.CancellationToken);
        var named = await cluster.Client.AppsV1.ListDeploymentForAllNamespacesAsync(fieldSelector: "metadata.name=web,metadata.namespace=production", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, pods.Items.Count);
        Assert.Single(named.Items);
        Assert.All(running.Items, p => Assert.Equal("Running", p.Status.Phase));
        var unsupported = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            cluster.Client.CoreV1.ListNamespacedPodAsync("staging", fieldSelector: "spec.containers=x", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(400, (int)unsupported.Response.StatusCode);
        Assert.Contains("field label not supported: spec.containers", unsupported.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Selectors_filter_a_watch_from_the_current_state_and_one_resumed_from_history()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var before = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(TestCluster.Namespace, cancellationToken: ct);
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("team-a-1", "a"), TestCluster.Namespace, cancellationToken: ct);
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("team-b-1", "b"), TestCluster.Namespace, cancellationToken: ct);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        async Task<List<string>> WatchUntilAsync(string? resourceVersion, string? labelSelector, string? fieldSelector, string last)
        {
            var seen = new List<string>();
            await foreach (var (type, cm) in cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync(TestCluster.Namespace,
                               labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: resourceVersion, cancellationToken: cts.Token))
            {
                seen.Add($"{type} {cm.Metadata.Name}");
                if (cm.Metadata.Name == last)
                {
                    break;
                }
            }
            return seen;
        }
        var fromNow = WatchUntilAsync(null, "team=a", null, "team-a-2");
        var fromHistory = WatchUntilAsync(before.Metadata.ResourceVersion, "team=a", null, "team-a-2");
        var byName = WatchUntilAsync(before.Metadata.ResourceVersion, null, "metadata.name=team-a-2", "team-a-2");
        await Task.Delay(300, ct);
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("team-b-2", "b"), TestCluster.Namespace, cancellationToken: ct);
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("team-a-2", "a"), TestCluster.Namespace, cancellationToken: ct);

        Assert.Equal(["Added team-a-1", "Added team-a-2"], await fromNow);
        Assert.Equal(["Added team-a-1", "Added team-a-2"], await fromHistory);
        Assert.Equal(["Added team-a-2"], await byName);
    }

    private static V1ConfigMap ConfigMap(string name, string? team = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = team is null ? null : new Dictionary<string, string> { ["team"] = team } },
        Data = new Dictionary<string, string> { ["k"] = "v" },
    };
}
