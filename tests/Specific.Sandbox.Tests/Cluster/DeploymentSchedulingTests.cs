using k8s;
using k8s.Models;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>A Deployment's pods go through the same scheduler as a Job's: nodeSelector and required node affinity.</summary>
public sealed class DeploymentSchedulingTests
{
    [Fact]
    public async Task Deployment_pod_whose_node_selector_no_node_matches_stays_Pending_and_Unschedulable()
    {
        await using var cluster = await TestCluster.StartAsync(withExampleManifests: false);
        await cluster.Simulator.ApplyYamlAsync(Deployment("general-only", "nodeSelector: {pool: general}"), TestContext.Current.CancellationToken);

        var pod = (await cluster.WaitForPodsAsync("app=general-only", pods => pods.Any(IsScheduledDecided)))[0];
        var failed = await cluster.WaitForEventAsync(pod.Metadata.Name, "FailedScheduling");

        var scheduled = pod.Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal(("False", "Unschedulable"), (scheduled.Status, scheduled.Reason));
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Null(pod.Spec.NodeName);
        Assert.Equal(("Warning", "default-scheduler"), (failed.Type, failed.Source.Component));
        Assert.StartsWith("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.", failed.Message, StringComparison.Ordinal);
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("general-only", TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(deployment.Status.AvailableReplicas);
    }

    [Theory]
    [InlineData("nodeSelector: {kubernetes.io/hostname: sandbox-node-b}")]
    [InlineData("affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: NotIn, values: [sandbox-node-a]}]}]}}}")]
    public async Task Deployment_pods_and_a_Job_built_from_them_land_on_the_node_their_rules_allow(string rule)
    {
        await using var cluster = await TestCluster.StartAsync(withExampleManifests: false);
        await cluster.Simulator.ApplyYamlAsync(Deployment("node-b-only", rule, replicas: 2), TestContext.Current.CancellationToken);

        var servicePods = await cluster.WaitForPodsAsync("app=node-b-only", pods => pods.Count == 2 && pods.All(p => p.Status?.Phase == "Running"));
        await cluster.CreateJobAsync(await cluster.JobFromDeploymentAsync("node-b-only", "on-b", "echo hi"));
        var jobPod = await cluster.WaitForPodAsync("on-b", p => p.Spec.NodeName is not null);

        Assert.All(servicePods, p => Assert.Equal("sandbox-node-b", p.Spec.NodeName));
        Assert.Equal("sandbox-node-b", jobPod.Spec.NodeName);
    }

    private static bool IsScheduledDecided(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "PodScheduled") == true;

    private static string Deployment(string name, string rule, int replicas = 1) => $$"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {{TestCluster.Namespace}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
          namespace: {{TestCluster.Namespace}}
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels: {app: {{name}}}
          template:
            metadata:
              labels: {app: {{name}}}
            spec:
              {{rule}}
              containers:
                - name: {{name}}
                  image: registry.example.com/{{name}}:1.0.0
                  command: ["/usr/local/bin/serve"]
        """;
}
