using k8s;
using System.Diagnostics;
using System.Globalization;
using k8s.Models;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>Deleting Jobs and pods: propagation policies, SIGTERM then SIGKILL, and the TTL-after-finished controller.</summary>
public sealed class DeletionTests
{
    [Fact]
    public async Task Background_delete_removes_the_pods_and_kills_the_process()
    {
        await using var cluster = await TestCluster.StartAsync();
        var pidFile = Path.Combine(Path.GetTempPath(), $"sim-{Guid.NewGuid():N}.pid");
        await cluster.CreateJobAsync(TestCluster.ShellJob("long", $"echo $$ > {pidFile}; sleep 60", j => j.Spec.Template.Spec.TerminationGracePeriodSeconds = 5));
        var pod = await cluster.WaitForPodAsync("long", p => p.Status?.Phase == "Running");
        var pid = await ReadPidAsync(pidFile);
        Assert.True(IsAlive(pid));

        await cluster.Client.BatchV1.DeleteNamespacedJobAsync("long", TestCluster.Namespace, propagationPolicy: "Background", cancellationToken: TestContext.Current.CancellationToken);

        await WaitUntilAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync(TestCluster.Namespace, labelSelector: "job-name=long", cancellationToken: TestContext.Current.CancellationToken)).Items.Count == 0);
        Assert.False(IsAlive(pid));
        Assert.Contains(await cluster.EventsAboutAsync(pod.Metadata.Name), e => e.Reason == "Killing" && e.Message == "Stopping container main");
        File.Delete(pidFile);
    }

    [Fact]
    public async Task Grace_period_is_honoured_before_SIGKILL_for_a_process_that_ignores_SIGTERM()
    {
        await using var cluster = await TestCluster.StartAsync();
        var pidFile = Path.Combine(Path.GetTempPath(), $"sim-{Guid.NewGuid():N}.pid");
        await cluster.CreateJobAsync(TestCluster.ShellJob("stubborn", $"trap '' TERM; echo $$ > {pidFile}; while true; do sleep 0.1; done",
            j => j.Spec.Template.Spec.TerminationGracePeriodSeconds = 2));
        var pod = await cluster.WaitForPodAsync("stubborn", p => p.Status?.Phase == "Running");
        var pid = await ReadPidAsync(pidFile);

        var clock = Stopwatch.StartNew();
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        Assert.True(IsAlive(pid), "SIGTERM is ignored, so the process lives until the grace period ends");
        var terminating = await cluster.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(2, terminating.Metadata.DeletionGracePeriodSeconds);

        await WaitUntilAsync(() => Task.FromResult(!IsAlive(pid)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(8));
        await WaitUntilAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync(TestCluster.Namespace, fieldSelector: $"metadata.name={pod.Metadata.Name}", cancellationToken: TestContext.Current.CancellationToken)).Items.Count == 0);
        File.Delete(pidFile);
    }

    [Fact]
    public async Task Orphan_delete_keeps_the_pods_without_their_owner_reference()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("orphaned", "echo hi"));
        await cluster.WaitForJobAsync("orphaned", TestCluster.IsFinished);

        await cluster.Client.BatchV1.DeleteNamespacedJobAsync("orphaned", TestCluster.Namespace, propagationPolicy: "Orphan", cancellationToken: TestContext.Current.CancellationToken);
        await Task.Delay(700, TestContext.Current.CancellationToken); // a garbage-collector pass would have run by now

        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(TestCluster.Namespace, labelSelector: "job-name=orphaned", cancellationToken: TestContext.Current.CancellationToken);
        var pod = Assert.Single(pods.Items);
        Assert.Null(pod.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Foreground_delete_keeps_the_job_until_its_pods_are_gone()
    {
        await using var cluster = await TestCluster.StartAsync();
        // The process ignores SIGTERM, so the pod (and with it the Job) outlives the delete by its grace period: reading
        // the Job right after the delete cannot race a pod that exits at once.
        await cluster.CreateJobAsync(TestCluster.ShellJob("fg", "trap '' TERM; sleep 60", j => j.Spec.Template.Spec.TerminationGracePeriodSeconds = 3));
        await cluster.WaitForPodAsync("fg", p => p.Status?.Phase == "Running");

        await cluster.Client.BatchV1.DeleteNamespacedJobAsync("fg", TestCluster.Namespace, propagationPolicy: "Foreground", cancellationToken: TestContext.Current.CancellationToken);
        var marked = await cluster.Client.BatchV1.ReadNamespacedJobAsync("fg", TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);

        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", marked.Metadata.Finalizers);
        await WaitUntilAsync(async () => (await cluster.Client.BatchV1.ListNamespacedJobAsync(TestCluster.Namespace, fieldSelector: "metadata.name=fg", cancellationToken: TestContext.Current.CancellationToken)).Items.Count == 0);
    }

    [Fact]
    public async Task Finished_job_is_deleted_with_its_pods_once_the_ttl_passes_on_the_simulator_clock()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("ttl", "echo hi", j => j.Spec.TtlSecondsAfterFinished = 3600));
        await cluster.WaitForJobAsync("ttl", TestCluster.IsFinished);

        cluster.Simulator.Clock.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(700, TestContext.Current.CancellationToken);
        Assert.Single((await cluster.Client.BatchV1.ListNamespacedJobAsync(TestCluster.Namespace, fieldSelector: "metadata.name=ttl", cancellationToken: TestContext.Current.CancellationToken)).Items);

        cluster.Simulator.Clock.Advance(TimeSpan.FromMinutes(2));
        await WaitUntilAsync(async () =>
            (await cluster.Client.BatchV1.ListNamespacedJobAsync(TestCluster.Namespace, fieldSelector: "metadata.name=ttl", cancellationToken: TestContext.Current.CancellationToken)).Items.Count == 0
            && (await cluster.Client.CoreV1.ListNamespacedPodAsync(TestCluster.Namespace, labelSelector: "job-name=ttl", cancellationToken: TestContext.Current.CancellationToken)).Items.Count == 0);
    }

    [Fact]
    public async Task Disposing_the_simulator_kills_every_process_it_started()
    {
        var cluster = await TestCluster.StartAsync();
        var pidFile = Path.Combine(Path.GetTempPath(), $"sim-{Guid.NewGuid():N}.pid");
        try
        {
            await cluster.CreateJobAsync(TestCluster.ShellJob("left-running", $"echo $$ > {pidFile}; sleep 60"));
            var pid = await ReadPidAsync(pidFile);
            Assert.True(IsAlive(pid));

            await cluster.DisposeAsync();

            await WaitUntilAsync(() => Task.FromResult(!IsAlive(pid)), TimeSpan.FromSeconds(5));
        }
        finally
        {
            await cluster.DisposeAsync();
            File.Delete(pidFile);
        }
    }

    private static async Task<int> ReadPidAsync(string pidFile)
    {
        await WaitUntilAsync(() => Task.FromResult(File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0));
        return int.Parse((await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken)).Trim(), CultureInfo.InvariantCulture);
    }

    private static bool IsAlive(int pid)
    {
        // A zombie (reaped late by its parent) counts as dead: it no longer runs.
        var stat = $"/proc/{pid}/stat";
        return File.Exists(stat) && !File.ReadAllText(stat).Split(' ')[2].Equals("Z", StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(15)))
            {
                throw new TimeoutException("condition not met in time");
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
