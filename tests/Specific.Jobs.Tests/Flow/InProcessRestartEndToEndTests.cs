using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Jobs.Storage;
using Specific.Sandbox.ClusterSimulator;

namespace Specific.Jobs.Tests.Flow;

/// <summary>
/// The in-process runner for real: the SQLite stores, the KubernetesClient adapter and the cluster simulator over
/// HTTP, with the runner restarted in the middle of a job.
/// </summary>
public sealed class InProcessRestartEndToEndTests : IAsyncLifetime
{
    private const string Command = "for i in 1 2 3 4 5 6; do echo line $i; sleep 0.5; done";

    private const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: production
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: production
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: registry.example/web:1.4.2
                  command: ["sh", "-c", "sleep 3600"]
                  env:
                    - name: GREETING
                      value: hello-from-web
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "flow-e2e-" + Guid.NewGuid().ToString("N"));
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
    public async Task Job_survives_a_runner_restart_and_ends_succeeded_with_every_line_once()
    {
        var cancellation = TestContext.Current.CancellationToken;
        JobRecord job;
        using (var first = Runner())
        {
            await first.StartAsync(cancellation);
            var jobs = first.Services.GetRequiredService<IJobStore>();
            var logs = first.Services.GetRequiredService<ILogStore>();
            job = await jobs.CreateAsync(
                new JobRequest("web", "production", Command, "restart", new JobOrigin(JobOrigin.Slack)), cancellation);
            await first.Services.GetRequiredService<IJobLauncher>().StartAsync(job, cancellation);

            // Mid-way: some lines are in, the command is still printing.
            await Until(async () => await logs.LastNumberAsync(job.Id, cancellation) >= 2, cancellation);
            Assert.Equal(JobState.Running, (await jobs.GetAsync(job.Id, cancellation))!.State);
            await first.StopAsync(cancellation);
        }

        using var second = Runner();
        await second.StartAsync(cancellation);
        var store = second.Services.GetRequiredService<IJobStore>();
        var logStore = second.Services.GetRequiredService<ILogStore>();
        var flow = second.Services.GetRequiredService<InProcessJobRunner>().FlowOf(job.Id);
        Assert.NotNull(flow);
        var result = await flow.WaitAsync(Patience, cancellation);

        Assert.Equal(JobState.Succeeded, result?.State);
        var ended = (await store.GetAsync(job.Id, cancellation))!;
        Assert.Equal(JobState.Succeeded, ended.State);
        Assert.Equal(0, ended.ExitCode);
        Assert.Equal(JobIds.KubernetesJobName(job.Id), ended.KubernetesJobName);
        var lines = new List<LogLine>();
        await foreach (var line in logStore.ReadAllAsync(job.Id, cancellation))
        {
            lines.Add(line);
        }

        Assert.Equal(
            ["line 1", "line 2", "line 3", "line 4", "line 5", "line 6"],
            lines.Select(line => line.Text));
        Assert.Equal([1L, 2, 3, 4, 5, 6], lines.Select(line => line.Number));
    }

    private IHost Runner()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = Path.Combine(_directory, "jobs.db"),
            ["Kubernetes:Host"] = _cluster!.BaseUrl.ToString().TrimEnd('/'),
        });
        builder.Services.AddLogging();
        builder.Services.AddJobStorage(builder.Configuration);
        builder.Services.AddKubernetesJobs(builder.Configuration);
        builder.Services.AddJobEngine(builder.Configuration, JobEngineMode.InProcess);
        return builder.Build();
    }

    private static async Task Until(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), patience.Token);
        }
    }
}
