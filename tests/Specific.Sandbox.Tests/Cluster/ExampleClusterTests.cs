using k8s;
using k8s.Models;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>The example cluster of sandbox/cluster.yaml is deployed when the simulator starts.</summary>
public sealed class ExampleClusterTests
{
    [Fact]
    public async Task Web_in_production_has_the_primary_container_the_bot_copies()
    {
        await using var cluster = await TestCluster.StartAsync();

        var web = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "production", cancellationToken: TestContext.Current.CancellationToken);

        var spec = web.Spec.Template.Spec;
        Assert.Equal(["web", "envoy"], spec.Containers.Select(c => c.Name).ToList());
        var primary = spec.Containers[0];
        Assert.Equal("hello-from-web", primary.Env.Single(e => e.Name == "GREETING").Value);
        Assert.NotNull(primary.Env.Single(e => e.Name == "DATABASE_URL").ValueFrom.SecretKeyRef);
        Assert.Equal("web-config", primary.EnvFrom.Single().ConfigMapRef.Name);
        Assert.NotNull(primary.LivenessProbe);
        Assert.NotNull(primary.ReadinessProbe);
        Assert.NotNull(primary.StartupProbe);
        Assert.NotNull(primary.Lifecycle.PreStop);
        Assert.NotEmpty(primary.Ports);
        Assert.NotEmpty(primary.VolumeMounts);
        Assert.Equal("web", web.Spec.Selector.MatchLabels["app"]);
        Assert.Equal(2, web.Status.ReadyReplicas);
    }

    [Fact]
    public async Task Service_pods_run_on_a_node_with_the_deployment_labels_and_a_replicaset_name()
    {
        await using var cluster = await TestCluster.StartAsync();

        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync("production", labelSelector: "app=web", cancellationToken: TestContext.Current.CancellationToken);
        var replicaSet = Assert.Single((await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync("production", labelSelector: "app=web", cancellationToken: TestContext.Current.CancellationToken)).Items);

        Assert.Equal(2, pods.Items.Count);
        Assert.All(pods.Items, pod =>
        {
            Assert.Equal("Running", pod.Status.Phase);
            Assert.StartsWith($"{replicaSet.Metadata.Name}-", pod.Metadata.Name, StringComparison.Ordinal);
            Assert.Contains(pod.Spec.NodeName, new[] { "sandbox-node-a", "sandbox-node-b" });
            Assert.All(pod.Status.ContainerStatuses, s => Assert.NotNull(s.State.Running));
            Assert.Equal("ReplicaSet", pod.Metadata.OwnerReferences.Single().Kind);
        });
        var worker = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("worker", "staging", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, worker.Status.AvailableReplicas);
        var nodes = await cluster.Client.CoreV1.ListNodeAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["sandbox-node-a", "sandbox-node-b"], nodes.Items.Select(n => n.Metadata.Labels["kubernetes.io/hostname"]).ToList());
    }

    [Fact]
    public async Task Every_example_deployment_schedules_but_gpu_batch_which_no_node_can_take()
    {
        await using var cluster = await TestCluster.StartAsync();
        var deployments = (await cluster.Client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: TestContext.Current.CancellationToken)).Items;

        var pods = await WaitForAsync(async () =>
        {
            var list = (await cluster.Client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: TestContext.Current.CancellationToken)).Items;
            var decided = list.Where(p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled") == true).ToList();
            return decided.Count == deployments.Sum(d => d.Spec.Replicas ?? 1) ? decided : null;
        });

        var unscheduled = pods.Where(p => p.Spec.NodeName is null).ToList();
        Assert.Equal("gpu-batch", Assert.Single(unscheduled).Metadata.Labels["app"]);
        Assert.Equal("Unschedulable", unscheduled[0].Status.Conditions.Single(c => c.Type == "PodScheduled").Reason);
        Assert.All(pods.Except(unscheduled), p => Assert.Equal("True", p.Status.Conditions.Single(c => c.Type == "PodScheduled").Status));
    }

    [Fact]
    public async Task Yaml_applied_at_run_time_is_served_and_deployed()
    {
        await using var cluster = await TestCluster.StartAsync(withExampleManifests: false);

        await cluster.Simulator.ApplyYamlAsync("""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: qa
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
              namespace: qa
            spec:
              selector:
                matchLabels: {app: api}
              template:
                metadata:
                  labels: {app: api}
                spec:
                  containers:
                    - name: api
                      image: registry.example.com/api:1.0.0
            """, TestContext.Current.CancellationToken);

        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("api", "qa", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, deployment.Spec.Replicas);
        var pod = await WaitForAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("qa", labelSelector: "app=api", cancellationToken: TestContext.Current.CancellationToken)).Items.FirstOrDefault(p => p.Status?.Phase == "Running"));
        Assert.Equal("api", pod.Spec.Containers[0].Name);
    }

    [Fact]
    public async Task Strategic_merge_patch_of_one_container_image_rolls_out_a_new_replicaset_and_keeps_the_sidecar()
    {
        await using var cluster = await TestCluster.StartAsync();
        var patch = new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example.com/web:1.5.0"}]}}}}""", V1Patch.PatchType.StrategicMergePatch);

        var patched = await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(patch, "web", "production", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["registry.example.com/web:1.5.0", "registry.example.com/envoy:1.31.2"], patched.Spec.Template.Spec.Containers.Select(c => c.Image).ToList());
        Assert.Equal("hello-from-web", patched.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "GREETING").Value);
        Assert.Equal(2, patched.Metadata.Generation);
        var pods = await WaitForAsync(async () =>
        {
            var list = await cluster.Client.CoreV1.ListNamespacedPodAsync("production", labelSelector: "app=web", cancellationToken: TestContext.Current.CancellationToken);
            return list.Items.Count == 2 && list.Items.All(p => p.Spec.Containers[0].Image == "registry.example.com/web:1.5.0" && p.Status?.Phase == "Running") ? list : null;
        });
        Assert.All(pods.Items, p => Assert.Equal(2, p.Spec.Containers.Count));
        var replicaSets = await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync("production", labelSelector: "app=web", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([0, 2], replicaSets.Items.Select(rs => rs.Spec.Replicas ?? 0).Order().ToList());
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
