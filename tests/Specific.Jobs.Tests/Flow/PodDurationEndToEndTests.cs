using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Storage;
using Specific.Sandbox.ClusterSimulator;

namespace Specific.Jobs.Tests.Flow;

/// <summary>
/// A job's recorded times are its pod's: the in-process runner with the SQLite store, the KubernetesClient adapter and
/// the cluster simulator over HTTP, with the store failing to write "running" until the command has ended.
/// </summary>
public sealed class PodDurationEndToEndTests : IAsyncLifetime
{
    private const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: production }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: production }
        spec:
          replicas: 0
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: registry.example/web:1.4.2, command: [sh, -c, "sleep 3600"] }]
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pod-duration-" + Guid.NewGuid().ToString("N"));
    private ClusterSimulator? _cluster;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _cluster = await ClusterSimulator.StartAsync(
            new ClusterSimulatorOptions { Url = "http://127.0.0.1:0" }, cancellationToken: TestContext.Current.CancellationToken);
        await _cluster.ApplyYamlAsync(Cluster, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_job_whose_running_write_failed_until_it_ended_records_the_pods_own_start_and_finish()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var store = new FailingRunningJobStore(new SqliteJobStore(Path.Combine(_directory, "jobs.db"), TimeProvider.System));
        using var runner = Runner(store);
        await runner.StartAsync(cancellation);
        var job = await store.CreateAsync(
            new JobRequest("web", "production", "echo started; sleep 1", "timed", new JobOrigin(JobOrigin.Slack)), cancellation);
        await runner.Services.GetRequiredService<IJobLauncher>().StartAsync(job, cancellation);

        // The store cannot record "running" until the command is over (a full disk); the follow keeps retrying.
        await store.RunningWriteFailed.WaitAsync(Patience, cancellation);
        var terminated = await TerminatedStateAsync(job.Id, cancellation);
        store.Release();
        var flow = runner.Services.GetRequiredService<InProcessJobRunner>().FlowOf(job.Id);
        Assert.Equal(JobState.Succeeded, (await flow!.WaitAsync(Patience, cancellation))?.State);

        var ended = (await store.GetAsync(job.Id, cancellation))!;
        var podStarted = new DateTimeOffset(DateTime.SpecifyKind(terminated.StartedAt!.Value, DateTimeKind.Utc));
        var podFinished = new DateTimeOffset(DateTime.SpecifyKind(terminated.FinishedAt!.Value, DateTimeKind.Utc));
        // Kubernetes reports whole seconds: a start within the second the job was queued is shown as that moment.
        Assert.Equal(podStarted > ended.QueuedAt!.Value ? podStarted : ended.QueuedAt.Value, ended.RunningAt);
        Assert.Equal(podFinished, ended.FinishedAt);
    }

    /// <summary>Waits, over the API, for the job's pod to report its container terminated, and returns that state.</summary>
    private async Task<k8s.Models.V1ContainerStateTerminated> TerminatedStateAsync(string jobId, CancellationToken cancellationToken)
    {
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _cluster!.BaseUrl.ToString().TrimEnd('/') });
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        while (true)
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync("production", labelSelector: JobLabels.SelectorFor(jobId), cancellationToken: patience.Token);
            if (pods.Items.SelectMany(pod => pod.Status?.ContainerStatuses ?? []).Select(status => status.State?.Terminated).FirstOrDefault(t => t is not null) is { } terminated)
            {
                return terminated;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), patience.Token);
        }
    }

    private IHost Runner(IJobStore store)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = Path.Combine(_directory, "jobs.db"),
            ["Kubernetes:Host"] = _cluster!.BaseUrl.ToString().TrimEnd('/'),
        });
        builder.Services.AddLogging();
        builder.Services.AddSingleton(store);
        builder.Services.AddJobStorage(builder.Configuration);
        builder.Services.AddKubernetesJobs(builder.Configuration);
        builder.Services.AddJobEngine(builder.Configuration, JobEngineMode.InProcess);
        return builder.Build();
    }

    /// <summary>The real SQLite store, except that a move to running fails until the test releases it.</summary>
    private sealed class FailingRunningJobStore(SqliteJobStore inner) : IJobStore, IDisposable
    {
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _released;

        public Task RunningWriteFailed => _failed.Task;

        public void Release() => _released = true;

        public Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken) => inner.CreateAsync(request, cancellationToken);

        public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken) => inner.GetAsync(jobId, cancellationToken);

        public async Task<TransitionResult> TryTransitionAsync(string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
        {
            if (transition.To == JobState.Running && !_released)
            {
                _failed.TrySetResult();
                throw new IOException("No space left on device (a test's full disk).");
            }
            return await inner.TryTransitionAsync(jobId, expected, transition, cancellationToken);
        }

        public Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken) => inner.AddDetailsAsync(jobId, details, cancellationToken);

        public Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken) => inner.ListAsync(query, cancellationToken);

        public IAsyncEnumerable<JobChanged> WatchAsync(CancellationToken cancellationToken) => inner.WatchAsync(cancellationToken);

        public Task<JobRecord?> RequestCancelAsync(string jobId, string requestedBy, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.RequestCancelAsync(jobId, requestedBy, at, cancellationToken);

        public Task<bool> TryMarkCreateRequestedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.TryMarkCreateRequestedAsync(jobId, at, cancellationToken);

        public Task ClearCreateRequestedAsync(string jobId, CancellationToken cancellationToken) => inner.ClearCreateRequestedAsync(jobId, cancellationToken);

        public void Dispose() => inner.Dispose();
    }
}
