using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Kubernetes;

/// <summary>
/// The adapter against a real API server and kubelet (KUBECONFIG_E2E): what the simulator stands in for, checked on
/// the real thing. Skips by name without one.
/// </summary>
public sealed class RealClusterJobsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_job_from_the_live_deployment_runs_with_its_environment_and_succeeds()
    {
        await using var cluster = await RealCluster.ConnectOrSkipAsync();

        var prepared = await cluster.PrepareAsync("web", "true");
        var (end, observer) = await cluster.RunAsync("web", "echo \"$GREETING\"; echo second line", TimeSpan.FromMinutes(4));

        Assert.Equal(["sidecar `helper` not replicated", "ports and readiness probe dropped"], prepared.Notes);
        Assert.Equal(new JobEnd(true, 0, null), end with { Ran = null });
        Assert.Equal(["hello-from-web", "second line"], observer.Texts);
        Assert.Equal([1L, 2L], observer.Lines.Select(l => l.Number));
        Assert.Contains(RealCluster.Image, Assert.Single(observer.RunningImages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_exiting_3_fails_with_its_exit_code()
    {
        await using var cluster = await RealCluster.ConnectOrSkipAsync();

        var (end, observer) = await cluster.RunAsync("web", "echo about to fail; exit 3", TimeSpan.FromMinutes(4));

        Assert.Equal(new JobEnd(false, 3, "The command exited with code 3."), end with { Ran = null });
        Assert.Equal(["about to fail"], observer.Texts);
    }

    [Fact]
    public async Task Deleting_the_job_mid_run_stops_the_command_ends_the_follow_and_removes_its_pod()
    {
        await using var cluster = await RealCluster.ConnectOrSkipAsync();
        var job = await cluster.StartJobAsync("web", "echo started; sleep 300; echo never");
        var observer = new RecordingObserver();
        var follow = cluster.FollowAsync(job, observer);

        await observer.WaitForLineAsync("started");
        await cluster.Jobs.DeleteAsync(job.Namespace, job.JobName, Ct);
        var end = await follow.WaitAsync(TimeSpan.FromMinutes(2), Ct);

        Assert.False(end.Succeeded);
        Assert.Equal(PodDiagnosis.JobDeletedReason(job.JobName), end.FailureReason);
        Assert.DoesNotContain("never", observer.Texts);
        await cluster.WaitForNoPodsAsync(job, TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task A_service_not_deployed_is_rejected_with_what_to_do()
    {
        await using var cluster = await RealCluster.ConnectOrSkipAsync();

        var error = await Assert.ThrowsAsync<JobRejectedException>(() => cluster.PrepareAsync("billing", "echo hi"));

        Assert.Equal("NotDeployed", error.Kind);
        Assert.Contains($"no Deployment `billing` in namespace `{cluster.JobNamespace}`", error.Message, StringComparison.Ordinal);
    }
}
