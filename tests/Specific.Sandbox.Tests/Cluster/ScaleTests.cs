using System.Diagnostics;
using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Kubelet;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>Hundreds of Jobs at once, as the live benchmark runs them: every one runs, once, and completes.</summary>
public sealed class ScaleTests
{
    private const int Jobs = 200;

    [Fact]
    public async Task Two_hundred_ticker_jobs_started_at_once_each_run_their_pod_once_and_complete()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var names = Enumerable.Range(1, Jobs).Select(i => $"tick-{i:D3}").ToList();

        await Task.WhenAll(names.Select(name => cluster.CreateJobAsync(TestCluster.ShellJob(name, "ticker 2", job =>
            job.Spec.Template.Metadata = new V1ObjectMeta
            {
                Annotations = new Dictionary<string, string> { [ScriptedConditions.SimulateAnnotation] = ScriptedConditions.Ticker },
            }))));

        var waited = Stopwatch.StartNew();
        IList<V1Job> jobs;
        while ((jobs = (await cluster.Client.BatchV1.ListNamespacedJobAsync(TestCluster.Namespace, cancellationToken: ct)).Items).Count(TestCluster.IsFinished) < Jobs)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"{jobs.Count(TestCluster.IsFinished)} of {Jobs} jobs finished within 60 s");
            await Task.Delay(200, ct);
        }

        Assert.All(jobs, job => Assert.True(TestCluster.HasCondition(job, "Complete"), $"{job.Metadata.Name} did not complete"));
        Assert.All(jobs, job => Assert.Equal(1, job.Status.Succeeded));
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync(TestCluster.Namespace, labelSelector: "job-name", cancellationToken: ct)).Items;
        Assert.Equal(Jobs, pods.Count);
        Assert.All(pods, pod => Assert.Equal("Succeeded", pod.Status.Phase));
        // A pod runs once: a second start would fold into the same event and count 2.
        var started = (await cluster.Client.CoreV1.ListNamespacedEventAsync(TestCluster.Namespace, fieldSelector: "reason=Started", cancellationToken: ct)).Items
            .Where(e => e.InvolvedObject.Kind == "Pod" && pods.Any(p => p.Metadata.Uid == e.InvolvedObject.Uid))
            .ToList();
        Assert.Equal(Jobs, started.Count);
        Assert.All(started, e => Assert.Equal(1, e.Count));
    }
}
