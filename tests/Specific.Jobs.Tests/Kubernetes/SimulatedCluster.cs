using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Sandbox.ClusterSimulator;

namespace Specific.Jobs.Tests.Kubernetes;

/// <summary>
/// The cluster simulator on a dynamic port, with the real KubernetesClient adapter pointed at it over HTTP.
/// Speaks the domain: <c>await cluster.RunAsync("web", "echo hi")</c>.
/// </summary>
internal sealed class SimulatedCluster : ClusterUnderTest
{
    public const string Environment = "production";
    public const string Namespace = "production";

    private SimulatedCluster(ClusterSimulator simulator, KubernetesJobsOptions options)
        : base(PointedAt(simulator, options), Environment, Namespace)
    {
        Simulator = simulator;
    }

    public ClusterSimulator Simulator { get; }

    /// <summary>The follow's end within 30 s; past that, a failure that shows what the adapter logged meanwhile and the lines seen.</summary>
    public async Task<JobEnd> EndOfAsync(Task<JobEnd> follow, RecordingObserver observer)
    {
        try
        {
            return await follow.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The follow did not end within 30 s. Lines seen: [{string.Join(", ", observer.Texts)}]. The adapter logged:\n{string.Join("\n", Log.Messages)}");
            throw;
        }
    }

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

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    private static KubernetesJobsOptions PointedAt(ClusterSimulator simulator, KubernetesJobsOptions options)
    {
        options.Host = simulator.BaseUrl.ToString();
        return options;
    }
}

/// <summary>Records what a follow reports, and lets a test wait for a line.</summary>
internal sealed class RecordingObserver : IFollowObserver
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    public List<string?> RunningImages { get; } = [];
    public List<DateTimeOffset?> RunningSince { get; } = [];
    public List<FollowCheckpoint> Progress { get; } = [];
    public List<int> BatchSizes { get; } = [];
    public IReadOnlyList<LogLine> Lines => [.. _lines];
    public IReadOnlyList<string> Texts => [.. _lines.Select(l => l.Text)];

    public Task OnRunningAsync(string? image, DateTimeOffset? startedAt, CancellationToken cancellationToken)
    {
        RunningImages.Add(image);
        RunningSince.Add(startedAt);
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
        // With the exception in full (inner exceptions and stack), so a failed assertion on the messages shows why a watch failed.
        _messages.Enqueue(formatter(state, exception) + (exception is null ? "" : $" ({exception})"));
}
