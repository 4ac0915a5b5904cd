using System.Collections.Concurrent;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Sandbox.ClusterSimulator;

namespace Specific.Jobs.Tests.Kubernetes;

/// <summary>
/// The cluster simulator on a dynamic port, with the real KubernetesClient adapter pointed at it over HTTP.
/// Speaks the domain: <c>await cluster.RunAsync("web", "echo hi")</c>.
/// </summary>
internal sealed class SimulatedCluster : IAsyncDisposable
{
    public const string Environment = "production";
    public const string Namespace = "production";

    private readonly KubernetesClientFactory _clients;

    private SimulatedCluster(ClusterSimulator simulator, KubernetesJobsOptions options)
    {
        Simulator = simulator;
        Options = options;
        options.Host = simulator.BaseUrl.ToString();
        _clients = new KubernetesClientFactory(
            Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Options.Options.Create(new EnvironmentsOptions
            {
                Targets = { [Environment] = new EnvironmentTarget { Namespace = Namespace } },
            }));
        Jobs = new KubernetesJobs(_clients, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, Log);
        Catalog = new KubernetesServiceCatalog(_clients);
    }

    public ClusterSimulator Simulator { get; }
    public KubernetesJobsOptions Options { get; }
    public KubernetesJobs Jobs { get; }
    public KubernetesServiceCatalog Catalog { get; }
    public RecordingLogger<KubernetesJobs> Log { get; } = new();
    public IKubernetes Client => _clients.ForEnvironment(Environment);

    /// <summary>Starts a simulator loaded with <paramref name="manifests"/>; the options default to short grace periods.</summary>
    public static async Task<SimulatedCluster> StartAsync(string manifests, Action<KubernetesJobsOptions>? configure = null)
    {
        var simulator = await ClusterSimulator.StartAsync(
            new ClusterSimulatorOptions { Url = "http://127.0.0.1:0" },
            cancellationToken: TestContext.Current.CancellationToken);
        await simulator.ApplyYamlAsync(manifests, TestContext.Current.CancellationToken);
        var options = new KubernetesJobsOptions
        {
            StartTimeout = TimeSpan.FromSeconds(20),
            ImagePullGrace = TimeSpan.FromSeconds(1),
            UnschedulableGrace = TimeSpan.FromMilliseconds(500),
            ContainerConfigGrace = TimeSpan.FromSeconds(1),
            PendingCheckInterval = TimeSpan.FromMilliseconds(200),
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
            LogBatchMaxDelay = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(options);
        return new SimulatedCluster(simulator, options);
    }

    public Task<PreparedJob> PrepareAsync(string service, string command, string? jobId = null) =>
        Jobs.PrepareAsync(
            new PrepareJobRequest(jobId ?? JobIds.New(), service, Environment, Namespace, command),
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
            new FollowRequest(job.JobId, job.Namespace, job.JobName, job.Container, checkpoint ?? new FollowCheckpoint()) { Environment = Environment },
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

    public async ValueTask DisposeAsync()
    {
        _clients.Dispose();
        await Simulator.DisposeAsync();
    }
}

/// <summary>Records what a follow reports, and lets a test wait for a line.</summary>
internal sealed class RecordingObserver : IFollowObserver
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    public List<string?> RunningImages { get; } = [];
    public List<FollowCheckpoint> Progress { get; } = [];
    public List<int> BatchSizes { get; } = [];
    public IReadOnlyList<LogLine> Lines => [.. _lines];
    public IReadOnlyList<string> Texts => [.. _lines.Select(l => l.Text)];

    public Task OnRunningAsync(string? image, CancellationToken cancellationToken)
    {
        RunningImages.Add(image);
        return Task.CompletedTask;
    }

    public Task OnLogLinesAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        BatchSizes.Add(lines.Count);
        foreach (var line in lines)
        {
            _lines.Enqueue(line);
            if (_waiting.TryGetValue(line.Text, out var waiter))
                waiter.TrySetResult();
        }
        return Task.CompletedTask;
    }

    public void OnProgress(FollowCheckpoint checkpoint) => Progress.Add(checkpoint);

    /// <summary>Completes once a line with exactly this text has been delivered.</summary>
    public Task WaitForLineAsync(string text)
    {
        var waiter = _waiting.GetOrAdd(text, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_lines.Any(l => l.Text == text))
            waiter.TrySetResult();
        return waiter.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}

/// <summary>Keeps the adapter's log messages, so a test can see that a watch was told 410 Gone.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyList<string> Messages => [.. _messages];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _messages.Enqueue(formatter(state, exception));
}
