using Temporalio.Common;
using Temporalio.Workflows;

namespace Specific.Sandbox.Tests.Temporal;

/// <summary>What one scenario asks of its activity: which behaviour, and the options the workflow schedules it with.</summary>
public sealed record ScenarioInput(
    string Behaviour,
    int MaximumAttempts = 1,
    int InitialIntervalMs = 100,
    double BackoffCoefficient = 2,
    int StartToCloseMs = 30_000,
    int HeartbeatTimeoutMs = 0,
    int ScheduleToCloseMs = 0,
    string[]? NonRetryableErrorTypes = null,
    bool WaitCancellationCompleted = true);

/// <summary>A workflow that runs one activity with the scenario's options and returns its result; cancellation reaches the activity.</summary>
[Workflow(Name)]
public sealed class ScenarioWorkflow
{
    public const string Name = "StandInScenario";

    [WorkflowRun]
    public async Task<string> RunAsync(ScenarioInput input)
    {
        var options = new ActivityOptions
        {
            StartToCloseTimeout = TimeSpan.FromMilliseconds(input.StartToCloseMs),
            ScheduleToCloseTimeout = input.ScheduleToCloseMs > 0 ? TimeSpan.FromMilliseconds(input.ScheduleToCloseMs) : null,
            HeartbeatTimeout = input.HeartbeatTimeoutMs > 0 ? TimeSpan.FromMilliseconds(input.HeartbeatTimeoutMs) : null,
            RetryPolicy = new RetryPolicy
            {
                MaximumAttempts = input.MaximumAttempts,
                InitialInterval = TimeSpan.FromMilliseconds(input.InitialIntervalMs),
                BackoffCoefficient = (float)input.BackoffCoefficient,
                NonRetryableErrorTypes = input.NonRetryableErrorTypes,
            },
            CancellationType = input.WaitCancellationCompleted
                ? ActivityCancellationType.WaitCancellationCompleted
                : ActivityCancellationType.TryCancel,
        };
        var result = await Workflow.ExecuteActivityAsync((ScenarioActivities activities) => activities.RunAsync(input.Behaviour), options);
        // A timer after the activity, so the stand-in's StartTimer/TimerFired path runs in every successful scenario.
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
        return result;
    }
}
