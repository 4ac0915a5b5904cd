using k8s;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Kubernetes;

/// <summary>
/// The real KubernetesClient adapter pointed at a cluster (the simulator, or a real one), with one environment that
/// lives in one namespace. Speaks the domain: <c>await cluster.RunAsync("web", "echo hi")</c>.
/// </summary>
internal abstract class ClusterUnderTest : IAsyncDisposable
{
    private readonly KubernetesClientFactory _clients;
    private readonly string _environment;

    protected ClusterUnderTest(KubernetesJobsOptions options, string environment, string @namespace)
    {
        Options = options;
        _environment = environment;
        JobNamespace = @namespace;
        _clients = new KubernetesClientFactory(
            Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Options.Options.Create(new EnvironmentsOptions
            {
                Targets = { [environment] = new EnvironmentTarget { Namespace = @namespace } },
            }));
        Jobs = new KubernetesJobs(_clients, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, Log);
        Catalog = new KubernetesServiceCatalog(_clients);
    }

    public KubernetesJobsOptions Options { get; }
    public KubernetesJobs Jobs { get; }
    public KubernetesServiceCatalog Catalog { get; }
    public RecordingLogger<KubernetesJobs> Log { get; } = new();
    public IKubernetes Client => _clients.ForEnvironment(_environment);

    /// <summary>The namespace the environment's services and jobs live in.</summary>
    public string JobNamespace { get; }

    public Task<PreparedJob> PrepareAsync(string service, string command, string? jobId = null) =>
        Jobs.PrepareAsync(
            new PrepareJobRequest(jobId ?? JobIds.New(), service, _environment, JobNamespace, command),
            TestContext.Current.CancellationToken);

    /// <summary>Prepares and creates the Job, ready to follow.</summary>
    public async Task<PreparedJob> StartJobAsync(string service, string command)
    {
        var prepared = await PrepareAsync(service, command);
        await Jobs.CreateAsync(prepared, TestContext.Current.CancellationToken);
        return prepared;
    }

    public Task<JobEnd> FollowAsync(PreparedJob job, RecordingObserver observer, FollowCheckpoint? checkpoint = null, CancellationToken? cancellationToken = null) =>
        Jobs.FollowAsync(
            new FollowRequest(job.JobId, job.Namespace, job.JobName, job.Container, checkpoint ?? new FollowCheckpoint()) { Environment = _environment },
            observer,
            cancellationToken ?? TestContext.Current.CancellationToken);

    /// <summary>Runs a command start to end, with a bound so a hang fails the test instead of stalling it.</summary>
    public async Task<(JobEnd End, RecordingObserver Observer)> RunAsync(string service, string command, TimeSpan? bound = null)
    {
        var job = await StartJobAsync(service, command);
        var observer = new RecordingObserver();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(bound ?? TimeSpan.FromSeconds(60));
        var end = await FollowAsync(job, observer, cancellationToken: timeout.Token);
        return (end, observer);
    }

    /// <summary>Waits for the job's pods to be gone, polling the API server; fails the test past <paramref name="within"/>.</summary>
    public async Task WaitForNoPodsAsync(PreparedJob job, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while ((await Client.CoreV1.ListNamespacedPodAsync(
            job.Namespace, labelSelector: JobLabels.SelectorFor(job.JobId), cancellationToken: TestContext.Current.CancellationToken)).Items.Count > 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"The pods of job {job.JobId} were still there after {within.TotalSeconds:0} s.");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    public virtual ValueTask DisposeAsync()
    {
        _clients.Dispose();
        return ValueTask.CompletedTask;
    }
}
