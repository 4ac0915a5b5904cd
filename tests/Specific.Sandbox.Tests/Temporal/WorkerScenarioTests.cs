using Microsoft.Extensions.Time.Testing;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Specific.Sandbox.Tests.Temporal;

/// <summary>The real Temporalio client and worker run workflows and activities on the stand-in; every history replays.</summary>
public sealed class WorkerScenarioTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Workflow_runs_its_activity_and_completes_with_its_result()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("succeed"));
        var result = await handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.Equal("done", result);
        var history = await host.ReplayAsync(handle);
        Assert.Equal(
            ["WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted", "ActivityTaskScheduled",
             "ActivityTaskStarted", "ActivityTaskCompleted", "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
             "TimerStarted", "TimerFired", "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionCompleted"],
            TemporalHost.EventTypes(history));
        var described = await handle.DescribeAsync();
        Assert.Equal(WorkflowExecutionStatus.Completed, described.Status);
        var shown = Assert.Single(host.StandIn.Workflows());
        Assert.Equal((handle.Id, "Completed", 16), (shown.WorkflowId, shown.Status, shown.History.Count));
    }

    [Fact]
    public async Task Activity_that_fails_twice_is_retried_after_the_policys_growing_intervals_and_succeeds()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("fail-twice", MaximumAttempts: 5, InitialIntervalMs: 200, BackoffCoefficient: 2));
        var result = await handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.Equal("done on attempt 3", result);
        var attempts = host.Activities.Attempts;
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        var (second, third) = (Gap(attempts[0], attempts[1]), Gap(attempts[1], attempts[2]));
        Assert.True(second >= TimeSpan.FromMilliseconds(200), $"attempt 2 came {second.TotalMilliseconds:N1} ms after attempt 1, before the initial interval");
        Assert.True(third >= TimeSpan.FromMilliseconds(400), $"attempt 3 came {third.TotalMilliseconds:N1} ms after attempt 2, before initial × coefficient");
        var history = await host.ReplayAsync(handle);
        // Retries are not history events: one started event, written with the completion, carries the attempt and the last failure.
        var started = Assert.Single(history.Events, e => e.EventType == EventType.ActivityTaskStarted);
        Assert.Equal(3, started.ActivityTaskStartedEventAttributes.Attempt);
        Assert.Equal("flaky on attempt 2", started.ActivityTaskStartedEventAttributes.LastFailure.Message);
    }

    [Fact]
    public async Task Retry_backoff_and_workflow_timers_run_on_the_stand_ins_clock_so_hour_long_intervals_pass_when_it_is_advanced()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        await using var host = await TemporalHost.StartAsync(time);

        var handle = await host.StartAsync(new ScenarioInput("fail-twice", MaximumAttempts: 3, InitialIntervalMs: 3_600_000, BackoffCoefficient: 2));
        await UntilAsync(async () => await PendingAttemptAsync(host, handle.Id) == 2);
        Assert.Single(host.Activities.Attempts);
        time.Advance(TimeSpan.FromHours(1));
        await UntilAsync(async () => await PendingAttemptAsync(host, handle.Id) == 3);
        time.Advance(TimeSpan.FromHours(2));
        await UntilAsync(async () => (await handle.FetchHistoryAsync()).Events.Any(e => e.EventType == EventType.TimerStarted));
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.Equal("done on attempt 3", result);
        var history = await host.ReplayAsync(handle);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 12, 0, 1, TimeSpan.Zero), history.Events.Last().EventTime.ToDateTimeOffset());
    }

    private static TimeSpan Gap(ActivityAttempt earlier, ActivityAttempt later) =>
        System.Diagnostics.Stopwatch.GetElapsedTime(earlier.StartedTimestamp, later.StartedTimestamp);

    /// <summary>The attempt DescribeWorkflowExecution reports for the run's pending activity (0 when there is none).</summary>
    private static async Task<int> PendingAttemptAsync(TemporalHost host, string workflowId)
    {
        var described = await host.Client.Connection.WorkflowService.DescribeWorkflowExecutionAsync(
            new() { Namespace = Specific.Sandbox.TemporalStandIn.TemporalStandIn.Namespace, Execution = new() { WorkflowId = workflowId } });
        return described.PendingActivities.SingleOrDefault()?.Attempt ?? 0;
    }

    /// <summary>Polls the stand-in until the condition holds; fails the test past a generous deadline.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The stand-in never reached the awaited state.");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Non_retryable_failure_fails_the_workflow_after_one_attempt()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("non-retryable", MaximumAttempts: 5));
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken));

        var activity = Assert.IsType<ActivityFailureException>(failed.InnerException);
        var cause = Assert.IsType<ApplicationFailureException>(activity.InnerException);
        Assert.Equal(("BadInput", "the input is wrong", RetryState.NonRetryableFailure), (cause.ErrorType, cause.Message, activity.RetryState));
        Assert.Single(host.Activities.Attempts);
        Assert.Equal(WorkflowExecutionStatus.Failed, (await handle.DescribeAsync()).Status);
        await host.ReplayAsync(handle);
    }

    [Fact]
    public async Task Error_type_listed_as_non_retryable_in_the_policy_is_not_retried()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("listed-non-retryable", MaximumAttempts: 5, NonRetryableErrorTypes: ["Refused"]));
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken));

        var activity = Assert.IsType<ActivityFailureException>(failed.InnerException);
        Assert.Equal(RetryState.NonRetryableFailure, activity.RetryState);
        Assert.Equal("Refused", Assert.IsType<ApplicationFailureException>(activity.InnerException).ErrorType);
        Assert.Single(host.Activities.Attempts);
        await host.ReplayAsync(handle);
    }

    [Fact]
    public async Task Attempts_run_out_and_the_workflow_fails_with_the_last_failure()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("fail-twice", MaximumAttempts: 2, InitialIntervalMs: 50));
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken));

        var activity = Assert.IsType<ActivityFailureException>(failed.InnerException);
        Assert.Equal(RetryState.MaximumAttemptsReached, activity.RetryState);
        Assert.Equal("flaky on attempt 2", activity.InnerException!.Message);
        await host.ReplayAsync(handle);
    }

    [Fact]
    public async Task Heartbeat_timeout_is_retried_and_the_next_attempt_resumes_from_the_last_heartbeat()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("heartbeat-then-stall", MaximumAttempts: 3, HeartbeatTimeoutMs: 1000));
        var result = await handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.Equal("resumed from progress-1", result);
        Assert.Equal([(1, null), (2, "progress-1")], host.Activities.Attempts.Select(a => (a.Attempt, a.HeartbeatDetails)));
        var history = await host.ReplayAsync(handle);
        var started = Assert.Single(history.Events, e => e.EventType == EventType.ActivityTaskStarted).ActivityTaskStartedEventAttributes;
        Assert.Equal(TimeoutType.Heartbeat, started.LastFailure.TimeoutFailureInfo.TimeoutType);
    }

    [Fact]
    public async Task Start_to_close_timeout_fails_the_activity_with_a_timeout_when_attempts_run_out()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("stall", MaximumAttempts: 1, StartToCloseMs: 500));
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken));

        var activity = Assert.IsType<ActivityFailureException>(failed.InnerException);
        var timeout = Assert.IsType<TimeoutFailureException>(activity.InnerException);
        Assert.Equal(TimeoutType.StartToClose, timeout.TimeoutType);
        var history = await host.ReplayAsync(handle);
        Assert.Contains("ActivityTaskTimedOut", TemporalHost.EventTypes(history));
    }

    [Fact]
    public async Task Schedule_to_close_timeout_ends_the_activity_with_no_retry_while_an_attempt_still_runs()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("stall", MaximumAttempts: 0, StartToCloseMs: 30_000, ScheduleToCloseMs: 800));
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken));

        var activity = Assert.IsType<ActivityFailureException>(failed.InnerException);
        Assert.Equal(RetryState.Timeout, activity.RetryState);
        Assert.Equal(TimeoutType.ScheduleToClose, Assert.IsType<TimeoutFailureException>(activity.InnerException).TimeoutType);
        Assert.Single(host.Activities.Attempts);
        await host.ReplayAsync(handle);
    }

    [Fact]
    public async Task Cancel_reaches_the_running_activity_through_its_heartbeat_and_the_workflow_ends_canceled()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("heartbeat-until-cancelled", HeartbeatTimeoutMs: 2000));
        await host.Activities.Heartbeating.WaitAsync(Patience, TestContext.Current.CancellationToken);
        await handle.CancelAsync();
        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken));

        Assert.IsType<CanceledFailureException>(failed.InnerException);
        Assert.True(host.Activities.Cancelled.IsCompleted, "the activity never saw its cancellation");
        Assert.Equal(WorkflowExecutionStatus.Canceled, (await handle.DescribeAsync()).Status);
        var history = await host.ReplayAsync(handle);
        var types = TemporalHost.EventTypes(history);
        Assert.Equal(
            ["WorkflowExecutionCancelRequested", "ActivityTaskCancelRequested", "ActivityTaskStarted", "ActivityTaskCanceled", "WorkflowExecutionCanceled"],
            types.Where(t => t.Contains("Cancel", StringComparison.Ordinal) || t == "ActivityTaskStarted"));
    }

    [Fact]
    public async Task Try_cancel_resolves_the_workflow_at_once_while_the_activity_is_still_told()
    {
        await using var host = await TemporalHost.StartAsync();

        var handle = await host.StartAsync(new ScenarioInput("heartbeat-until-cancelled", HeartbeatTimeoutMs: 2000, WaitCancellationCompleted: false));
        await host.Activities.Heartbeating.WaitAsync(Patience, TestContext.Current.CancellationToken);
        await handle.CancelAsync();
        await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken));

        var history = await host.ReplayAsync(handle);
        var types = TemporalHost.EventTypes(history);
        // With TryCancel the workflow does not wait for the activity's answer: it closes right after the cancel request.
        Assert.Equal(["ActivityTaskCancelRequested", "WorkflowExecutionCanceled"], types.SkipWhile(t => t != "ActivityTaskCancelRequested"));
    }

    [Fact]
    public async Task Second_start_of_a_running_or_closed_workflow_id_is_refused_as_already_started()
    {
        await using var host = await TemporalHost.StartAsync();

        var running = await host.StartAsync(new ScenarioInput("heartbeat-until-cancelled", HeartbeatTimeoutMs: 2000), id: "job-42");
        var whileRunning = await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() => host.StartAsync(new ScenarioInput("succeed"), id: "job-42"));
        Assert.Equal(running.ResultRunId, whileRunning.RunId);

        await running.CancelAsync();
        await Assert.ThrowsAsync<WorkflowFailedException>(() => running.GetResultAsync().WaitAsync(Patience, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() => host.StartAsync(new ScenarioInput("succeed"), id: "job-42"));
        Assert.Single(host.StandIn.Workflows());
    }
}
