using System.Collections.Concurrent;
using Temporalio.Activities;
using Temporalio.Exceptions;

namespace Specific.Sandbox.Tests.Temporal;

/// <summary>The scenarios' one activity, which records every attempt it sees so tests can check what the stand-in sent.</summary>
public sealed class ScenarioActivities
{
    private readonly ConcurrentQueue<ActivityAttempt> _attempts = new();
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _heartbeating = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<ActivityAttempt> Attempts => [.. _attempts];

    /// <summary>Completes when an activity has seen its cancellation (through a heartbeat).</summary>
    public Task Cancelled => _cancelled.Task;

    /// <summary>Completes when the heartbeating behaviour has sent its first heartbeat.</summary>
    public Task Heartbeating => _heartbeating.Task;

    [Activity]
    public async Task<string> RunAsync(string behaviour)
    {
        var context = ActivityExecutionContext.Current;
        var info = context.Info;
        var details = info.HeartbeatDetails.Count > 0 ? await info.HeartbeatDetailAtAsync<string>(0) : null;
        _attempts.Enqueue(new ActivityAttempt(info.Attempt, System.Diagnostics.Stopwatch.GetTimestamp(), details));
        var token = context.CancellationToken;
        switch (behaviour)
        {
            case "succeed":
                return "done";
            case "fail-twice":
                return info.Attempt < 3
                    ? throw new ApplicationFailureException($"flaky on attempt {info.Attempt}", errorType: "Flaky")
                    : $"done on attempt {info.Attempt}";
            case "non-retryable":
                throw new ApplicationFailureException("the input is wrong", errorType: "BadInput", nonRetryable: true);
            case "listed-non-retryable":
                throw new ApplicationFailureException("refused by policy", errorType: "Refused");
            case "heartbeat-then-stall":
                if (info.Attempt == 1)
                {
                    context.Heartbeat("progress-1");
                    await Task.Delay(Timeout.Infinite, token);
                }
                return $"resumed from {details}";
            case "stall":
                await Task.Delay(Timeout.Infinite, token);
                return "unreachable";
            case "heartbeat-until-cancelled":
                try
                {
                    while (true)
                    {
                        context.Heartbeat(info.Attempt);
                        _heartbeating.TrySetResult();
                        await Task.Delay(TimeSpan.FromMilliseconds(50), token);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    _cancelled.TrySetResult();
                    throw;
                }
            default:
                throw new ApplicationFailureException($"unknown behaviour {behaviour}", nonRetryable: true);
        }
    }
}

/// <summary>One attempt as the activity saw it: its number, when it started, and the heartbeat details it resumed from.</summary>
/// <param name="StartedTimestamp">A monotonic <see cref="System.Diagnostics.Stopwatch"/> timestamp, like the stand-in's timers: the wall clock may be stepped.</param>
public sealed record ActivityAttempt(int Attempt, long StartedTimestamp, string? HeartbeatDetails);
