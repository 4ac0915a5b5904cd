using k8s;
namespace Specific.Sandbox.Tests.Cluster;

/// <summary>The caveats of the Jobs documentation, reproduced from annotations in sandbox/cluster.yaml.</summary>
public sealed class ScriptedConditionTests
{
    [Fact]
    public async Task Image_that_cannot_be_pulled_backs_off_and_never_starts()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(await cluster.JobFromDeploymentAsync("broken-image", "pull-fails", "echo hi"));

        var pod = await cluster.WaitForPodAsync("pull-fails", p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "ImagePullBackOff");

        Assert.Equal("Pending", pod.Status.Phase);
        var events = await cluster.EventsAboutAsync(pod.Metadata.Name);
        Assert.Contains(events, e => e.Type == "Warning" && e.Reason == "Failed"
            && e.Message.StartsWith("Failed to pull image \"registry.example.com/broken-image:0.9.1\": ", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Type == "Warning" && e.Reason == "Failed" && e.Message == "Error: ImagePullBackOff");
        Assert.Contains(events, e => e.Reason == "BackOff" && e.Message == "Back-off pulling image \"registry.example.com/broken-image:0.9.1\"");
        Assert.All(events.Where(e => e.Source.Component == "kubelet"), e => Assert.Equal("spec.containers{broken-image}", e.InvolvedObject.FieldPath));
        var job = await cluster.Client.BatchV1.ReadNamespacedJobAsync("pull-fails", TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, job.Status.Active);
        Assert.Null(job.Status.Conditions);
    }

    [Fact]
    public async Task Image_without_a_shell_fails_to_start_with_StartError_128()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(await cluster.JobFromDeploymentAsync("distroless-api", "no-sh", "echo hi"));

        var job = await cluster.WaitForJobAsync("no-sh", TestCluster.IsFinished);
        var pod = await cluster.WaitForPodAsync("no-sh", _ => true);

        Assert.Equal("BackoffLimitExceeded", job.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        Assert.Equal("Failed", pod.Status.Phase);
        var terminated = pod.Status.ContainerStatuses[0].State.Terminated;
        Assert.Equal((128, "StartError"), (terminated.ExitCode, terminated.Reason));
        Assert.Contains("exec: \"sh\": executable file not found in $PATH", terminated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_selector_no_node_matches_leaves_the_pod_unschedulable()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(await cluster.JobFromDeploymentAsync("gpu-batch", "gpu", "echo hi"));

        var pod = await cluster.WaitForPodAsync("gpu", p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled") == true);
        var failed = await cluster.WaitForEventAsync(pod.Metadata.Name, "FailedScheduling");

        var scheduled = pod.Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal(("False", "Unschedulable"), (scheduled.Status, scheduled.Reason));
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Null(pod.Spec.NodeName);
        Assert.Equal(("Warning", "default-scheduler"), (failed.Type, failed.Source.Component));
        Assert.StartsWith("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadWriteOnce_volume_attached_elsewhere_keeps_the_pod_ContainerCreating_with_Multi_Attach()
    {
        await using var cluster = await TestCluster.StartAsync();
        var servicePods = await cluster.Client.CoreV1.ListNamespacedPodAsync(TestCluster.Namespace, labelSelector: "app=reports", cancellationToken: TestContext.Current.CancellationToken);
        var claim = await cluster.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("reports-data", TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        await cluster.CreateJobAsync(await cluster.JobFromDeploymentAsync("reports", "rwo", "echo hi"));

        var pod = await cluster.WaitForPodAsync("rwo", p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "ContainerCreating");
        var attach = await cluster.WaitForEventAsync(pod.Metadata.Name, "FailedAttachVolume");

        Assert.Equal("sandbox-node-a", pod.Spec.NodeName);
        Assert.Equal("sandbox-node-b", Assert.Single(servicePods.Items).Spec.NodeName);
        Assert.Equal("Warning", attach.Type);
        Assert.Equal($"Multi-Attach error for volume \"pvc-{claim.Metadata.Uid}\" Volume is already used by pod(s) {servicePods.Items[0].Metadata.Name}", attach.Message);
        Assert.Equal("Pending", pod.Status.Phase);
    }
}
