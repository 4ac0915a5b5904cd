using k8s;
using System.Text.RegularExpressions;
using k8s.Autorest;
using k8s.Models;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>The pod /log endpoint: follow, timestamps, tailLines, sinceSeconds, container, and its refusals.</summary>
public sealed partial class PodLogTests
{
    [Fact]
    public async Task Follow_streams_lines_as_the_process_writes_them_and_ends_when_it_exits()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("ticker", "echo one; sleep 1; echo two >&2; sleep 1; echo three"));
        var pod = await cluster.WaitForPodAsync("ticker", p => p.Status?.Phase == "Running");

        using var stream = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, TestCluster.Namespace,
            container: "main", follow: true, timestamps: true, cancellationToken: TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        var first = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
        var stillRunning = (await cluster.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken)).Status.Phase;
        var rest = await reader.ReadToEndAsync(TestContext.Current.CancellationToken);

        Assert.Equal("Running", stillRunning);
        var lines = new[] { first! }.Concat(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["one", "two", "three"], lines.Select(l => l.Split(' ', 2)[1]).ToList());
        Assert.All(lines, l => Assert.Matches(KubeletTimestamp(), l));
    }

    [Fact]
    public async Task A_ticker_pod_prints_a_stamped_line_a_second_into_its_followed_log_and_succeeds()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("ticks", "ticker 3", job =>
            job.Spec.Template.Metadata = new V1ObjectMeta
            {
                Annotations = new Dictionary<string, string> { [ClusterSimulator.Kubelet.ScriptedConditions.SimulateAnnotation] = ClusterSimulator.Kubelet.ScriptedConditions.Ticker },
            }));
        var pod = await cluster.WaitForPodAsync("ticks", p => p.Status?.Phase == "Running");
        var followedAt = DateTimeOffset.UtcNow;

        using var stream = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, TestCluster.Namespace,
            container: "main", follow: true, cancellationToken: TestContext.Current.CancellationToken);
        var lines = (await new StreamReader(stream).ReadToEndAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var finished = await cluster.WaitForPodAsync("ticks", p => p.Status?.Phase is "Succeeded" or "Failed");

        Assert.Equal(["tick 1/3", "tick 2/3", "tick 3/3"], lines.Select(l => l.Split(" at ")[0]).ToList());
        var printed = lines.Select(l => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(l.Split(" at ")[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.InRange((printed[2] - printed[0]).TotalSeconds, 1.9, 2.5);
        Assert.True(printed[2] > followedAt, "the last line was printed while the log was followed");
        Assert.Equal("Succeeded", finished.Status.Phase);
        Assert.Equal(0, finished.Status.ContainerStatuses[0].State.Terminated.ExitCode);
    }

    [Fact]
    public async Task Tail_lines_and_since_seconds_select_the_end_of_the_log()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("many", "for i in 1 2 3 4 5; do echo line-$i; done"));
        var pod = await cluster.WaitForPodAsync("many", p => p.Status?.Phase == "Succeeded");

        var tail = await ReadLogAsync(cluster, pod.Metadata.Name, tailLines: 2);
        var recent = await ReadLogAsync(cluster, pod.Metadata.Name, sinceSeconds: 60);
        cluster.Simulator.Clock.Advance(TimeSpan.FromMinutes(5));
        var none = await ReadLogAsync(cluster, pod.Metadata.Name, sinceSeconds: 60);

        Assert.Equal("line-4\nline-5\n", tail);
        Assert.Equal("line-1\nline-2\nline-3\nline-4\nline-5\n", recent);
        Assert.Equal("", none);
    }

    [Fact]
    public async Task Unknown_container_is_a_400_and_a_deleted_pod_is_a_404()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("short", "echo hi"));
        var pod = await cluster.WaitForPodAsync("short", p => p.Status?.Phase == "Succeeded");

        var badContainer = await Assert.ThrowsAsync<HttpOperationException>(() => ReadLogAsync(cluster, pod.Metadata.Name, container: "sidecar"));
        Assert.Equal(400, (int)badContainer.Response.StatusCode);
        Assert.Contains($"container sidecar is not valid for pod {pod.Metadata.Name}", badContainer.Response.Content, StringComparison.Ordinal);

        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => ReadLogAsync(cluster, pod.Metadata.Name));
        Assert.Equal(404, (int)gone.Response.StatusCode);
        Assert.Contains($"pods \\\"{pod.Metadata.Name}\\\" not found", gone.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_of_a_container_that_has_not_started_is_refused_with_its_waiting_reason()
    {
        await using var cluster = await TestCluster.StartAsync();
        var job = await cluster.JobFromDeploymentAsync("broken-image", "pull", "echo hi");
        await cluster.CreateJobAsync(job);
        var pod = await cluster.WaitForPodAsync("pull", p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "ImagePullBackOff");

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => ReadLogAsync(cluster, pod.Metadata.Name));

        Assert.Equal(400, (int)refused.Response.StatusCode);
        Assert.Contains($"container \\\"broken-image\\\" in pod \\\"{pod.Metadata.Name}\\\" is waiting to start: ImagePullBackOff", refused.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_longer_than_one_chunk_comes_whole_and_in_order_and_limit_bytes_cuts_it_where_it_says()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("long", "seq -f 'line %.0f of a log long enough to need several chunks' 1 5000"));
        var pod = await cluster.WaitForPodAsync("long", p => p.Status?.Phase == "Succeeded");

        var whole = await ReadLogAsync(cluster, pod.Metadata.Name);
        var stamped = await ReadLogAsync(cluster, pod.Metadata.Name, timestamps: true);
        var cut = await ReadLogAsync(cluster, pod.Metadata.Name, limitBytes: 100_000);

        var expected = string.Concat(Enumerable.Range(1, 5000).Select(i => $"line {i} of a log long enough to need several chunks\n"));
        Assert.True(expected.Length > 4 * 32 * 1024, "the log spans several of the endpoint's 32 KiB chunks");
        Assert.Equal(expected, whole);
        var stampedLines = stamped.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5000, stampedLines.Length);
        Assert.All(stampedLines, l => Assert.Matches(KubeletTimestamp(), l));
        Assert.Equal(expected.Split('\n', StringSplitOptions.RemoveEmptyEntries), stampedLines.Select(l => l.Split(' ', 2)[1]));
        Assert.Equal(expected[..100_000], cut); // limitBytes may end in the middle of a line, as the kubelet's does
    }

    private static async Task<string> ReadLogAsync(
        TestCluster cluster, string pod, int? tailLines = null, int? sinceSeconds = null, string? container = null, bool? timestamps = null, int? limitBytes = null)
    {
        using var stream = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod, TestCluster.Namespace, container: container,
            tailLines: tailLines, sinceSeconds: sinceSeconds, timestamps: timestamps, limitBytes: limitBytes,
            cancellationToken: TestContext.Current.CancellationToken);
        return await new StreamReader(stream).ReadToEndAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The kubelet's fixed nine-digit RFC3339Nano prefix.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z ")]
    private static partial Regex KubeletTimestamp();
}
