using Specific.Sandbox.TemporalStandIn;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using StandIn = Specific.Sandbox.TemporalStandIn.TemporalStandIn;

namespace Specific.Sandbox.Tests.Temporal;

/// <summary>A Temporal stand-in on a free port, the real Temporalio client connected to it, and a real worker for the scenarios.</summary>
public sealed class TemporalHost : IAsyncDisposable
{
    private readonly TemporalWorker _worker;
    private readonly CancellationTokenSource _stopWorker = new();
    private readonly Task _running;
    private int _next;

    private TemporalHost(StandIn standIn, TemporalClient client, string taskQueue)
    {
        StandIn = standIn;
        Client = client;
        TaskQueue = taskQueue;
        _worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<ScenarioWorkflow>().AddAllActivities(Activities));
        _running = _worker.ExecuteAsync(_stopWorker.Token);
    }

    public StandIn StandIn { get; }

    public TemporalClient Client { get; }

    public string TaskQueue { get; }

    public ScenarioActivities Activities { get; } = new();

    public static async Task<TemporalHost> StartAsync(TimeProvider? time = null)
    {
        var options = new TemporalStandInOptions { Url = "http://127.0.0.1:0", Time = time ?? TimeProvider.System };
        var standIn = await StandIn.StartAsync(options, ct: TestContext.Current.CancellationToken);
        var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(standIn.TargetHost) { Namespace = StandIn.Namespace });
        return new TemporalHost(standIn, client, "scenarios-" + Guid.NewGuid().ToString("N")[..8]);
    }

    /// <summary>Starts the scenario workflow under a fresh id, as the bot starts RunJob: reject duplicates, fail on conflict.</summary>
    public Task<WorkflowHandle<ScenarioWorkflow, string>> StartAsync(ScenarioInput input, string? id = null) =>
        Client.StartWorkflowAsync((ScenarioWorkflow wf) => wf.RunAsync(input), Options(id ?? $"scenario-{Interlocked.Increment(ref _next)}"));

    public WorkflowOptions Options(string id) => new(id, TaskQueue)
    {
        IdReusePolicy = Temporalio.Api.Enums.V1.WorkflowIdReusePolicy.RejectDuplicate,
        IdConflictPolicy = Temporalio.Api.Enums.V1.WorkflowIdConflictPolicy.Fail,
    };

    /// <summary>Fetches the run's history from the stand-in and replays it with the workflow's code: it must be deterministic there.</summary>
    public async Task<WorkflowHistory> ReplayAsync(WorkflowHandle handle)
    {
        var history = await handle.FetchHistoryAsync();
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions().AddWorkflow<ScenarioWorkflow>());
        var result = await replayer.ReplayWorkflowAsync(history, throwOnReplayFailure: true);
        Assert.Null(result.ReplayFailure);
        return history;
    }

    /// <summary>Event types of the run, in order, as names (e.g. ActivityTaskScheduled).</summary>
    public static IReadOnlyList<string> EventTypes(WorkflowHistory history) => [.. history.Events.Select(e => e.EventType.ToString())];

    public async ValueTask DisposeAsync()
    {
        await _stopWorker.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // The worker ends this way when asked to stop.
        }
        _worker.Dispose();
        _stopWorker.Dispose();
        await StandIn.DisposeAsync();
    }
}
