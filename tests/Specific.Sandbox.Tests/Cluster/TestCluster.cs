using System.Diagnostics;
using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>A running cluster simulator on a free port with the example manifests, and a real KubernetesClient pointed at it.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public const string Namespace = "production";

    private TestCluster(ClusterSimulator.ClusterSimulator simulator)
    {
        Simulator = simulator;
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = simulator.BaseUrl.ToString().TrimEnd('/') });
    }

    public ClusterSimulator.ClusterSimulator Simulator { get; }

    public Kubernetes Client { get; }

    public static async Task<TestCluster> StartAsync(bool withExampleManifests = true)
    {
        var options = new ClusterSimulatorOptions { Url = "http://127.0.0.1:0" };
        if (withExampleManifests)
        {
            options.ManifestPaths.Add(ExampleManifestPath);
        }
        return new TestCluster(await ClusterSimulator.ClusterSimulator.StartAsync(options, cancellationToken: TestContext.Current.CancellationToken));
    }

    public static string ExampleManifestPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "sandbox", "cluster.yaml");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new FileNotFoundException("sandbox/cluster.yaml not found above the test binaries");
        }
    }

    /// <summary>A Job whose one container runs <c>sh -c command</c>, the way the bot builds them (restartPolicy Never, backoffLimit 0).</summary>
    public static V1Job ShellJob(string name, string command, Action<V1Job>? customize = null)
    {
        var job = new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "main",
                                Image = "registry.example.com/web:1.4.2",
                                Command = ["sh", "-c", command],
                            },
                        ],
                    },
                },
            },
        };
        customize?.Invoke(job);
        return job;
    }

    /// <summary>A Job built from a Deployment's pod template, as the bot does: first container, its env, volumes and scheduling rules.</summary>
    public async Task<V1Job> JobFromDeploymentAsync(string deployment, string name, string command)
    {
        var source = await Client.AppsV1.ReadNamespacedDeploymentAsync(deployment, Namespace, cancellationToken: TestContext.Current.CancellationToken);
        var template = source.Spec.Template;
        var container = template.Spec.Containers[0];
        return ShellJob(name, command, job =>
        {
            job.Spec.Template.Metadata = new V1ObjectMeta { Annotations = template.Metadata?.Annotations };
            var spec = job.Spec.Template.Spec;
            spec.NodeSelector = template.Spec.NodeSelector;
            spec.Affinity = template.Spec.Affinity;
            spec.Volumes = template.Spec.Volumes;
            spec.Containers[0].Name = container.Name;
            spec.Containers[0].Image = container.Image;
            spec.Containers[0].Env = container.Env;
            spec.Containers[0].EnvFrom = container.EnvFrom;
            spec.Containers[0].VolumeMounts = container.VolumeMounts;
        });
    }

    public Task<V1Job> CreateJobAsync(V1Job job) =>
        Client.BatchV1.CreateNamespacedJobAsync(job, Namespace, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Watches one Job (list, then watch from the list's resourceVersion) until <paramref name="done"/> holds.</summary>
    public async Task<V1Job> WaitForJobAsync(string name, Func<V1Job, bool> done, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(20));
        var current = await Client.BatchV1.ReadNamespacedJobAsync(name, Namespace, cancellationToken: cts.Token);
        while (!done(current))
        {
            await foreach (var (_, job) in Client.BatchV1.WatchListNamespacedJobAsync(Namespace, fieldSelector: $"metadata.name={name}",
                               resourceVersion: current.Metadata.ResourceVersion, cancellationToken: cts.Token))
            {
                current = job;
                if (done(current))
                {
                    break;
                }
            }
        }
        return current;
    }

    public async Task<V1Pod> WaitForPodAsync(string jobName, Func<V1Pod, bool> done, TimeSpan? timeout = null)
    {
        var pods = await WaitForPodsAsync($"job-name={jobName}", items => items.Any(done), timeout);
        return pods.First(done);
    }

    /// <summary>Lists the pods <paramref name="labelSelector"/> selects until <paramref name="done"/> holds for the list.</summary>
    public async Task<IList<V1Pod>> WaitForPodsAsync(string labelSelector, Func<IList<V1Pod>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (true)
        {
            var pods = await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: labelSelector, cancellationToken: TestContext.Current.CancellationToken);
            if (done(pods.Items))
            {
                return pods.Items;
            }
            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"the pods {labelSelector} selects did not reach the expected state; pods: "
                    + string.Join(", ", pods.Items.Select(p => $"{p.Metadata.Name}:{p.Status?.Phase}")));
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async Task<IList<Corev1Event>> EventsAboutAsync(string objectName) =>
        (await Client.CoreV1.ListNamespacedEventAsync(Namespace, fieldSelector: $"involvedObject.name={objectName}", cancellationToken: TestContext.Current.CancellationToken)).Items;

    public async Task<Corev1Event> WaitForEventAsync(string objectName, string reason, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var found = (await EventsAboutAsync(objectName)).FirstOrDefault(e => e.Reason == reason);
            if (found is not null)
            {
                return found;
            }
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(15)))
            {
                throw new TimeoutException($"no {reason} event about {objectName}");
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public static bool HasCondition(V1Job job, string type) => job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    public static bool IsFinished(V1Job job) => HasCondition(job, "Complete") || HasCondition(job, "Failed");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Simulator.DisposeAsync();
    }
}
