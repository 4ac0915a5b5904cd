using k8s;
using k8s.Models;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Kubernetes;

/// <summary>
/// The cluster of the kubeconfig that KUBECONFIG_E2E names, with a namespace of its own per test that holds the
/// Deployment <c>web</c> (busybox, so any cluster that can pull from Docker Hub runs it). The namespace, and with it
/// every Job and pod the test made, is deleted at the end.
/// </summary>
internal sealed class RealCluster : ClusterUnderTest
{
    public const string Variable = "KUBECONFIG_E2E";
    public const string Environment = "e2e";
    public const string Image = "busybox:1.36";

    private const string WebDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, labels: { app: web } }
        spec:
          replicas: 1
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers:
                - name: web
                  image: busybox:1.36
                  command: [sh, -c, "sleep 3600"]
                  env: [{ name: GREETING, value: hello-from-web }]
                  ports: [{ containerPort: 8080 }]
                  readinessProbe: { exec: { command: ["true"] } }
                - name: helper
                  image: busybox:1.36
                  command: [sh, -c, "sleep 3600"]
        """;

    private RealCluster(KubernetesJobsOptions options, string @namespace) : base(options, Environment, @namespace)
    {
    }

    /// <summary>A fresh namespace with <c>web</c> deployed in it, or a skip that says how to run the test.</summary>
    public static async Task<RealCluster> ConnectOrSkipAsync()
    {
        var kubeconfig = System.Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(kubeconfig))
        {
            Assert.Skip($"{Variable} is not set: no Kubernetes API server can run here. Point it at the kubeconfig of a "
                + "disposable cluster (e.g. `kind create cluster --kubeconfig /tmp/kind.yaml`, then "
                + $"{Variable}=/tmp/kind.yaml) to run the adapter against a real cluster; each test makes and deletes a namespace.");
        }

        var cluster = new RealCluster(
            new KubernetesJobsOptions { KubeConfigPath = kubeconfig, StartTimeout = TimeSpan.FromMinutes(3), PendingCheckInterval = TimeSpan.FromSeconds(1) },
            "jobsbot-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        var ct = TestContext.Current.CancellationToken;
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = cluster.JobNamespace } }, cancellationToken: ct);
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(KubernetesYaml.Deserialize<V1Deployment>(WebDeployment), cluster.JobNamespace, cancellationToken: ct);
        return cluster;
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await Client.CoreV1.DeleteNamespaceAsync(JobNamespace, new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken: CancellationToken.None);
        }
        finally
        {
            await base.DisposeAsync();
        }
    }
}
