using Google.Protobuf;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using TaskQueueMessage = Temporalio.Api.TaskQueue.V1.TaskQueue;

namespace Specific.Sandbox.Tests.Temporal;

/// <summary>The stand-in's frontend protocol driven by hand through the real client's raw WorkflowService calls, as a worker would.</summary>
public sealed class HandDrivenProtocolTests
{
    private const string Queue = "hand-driven";
    private static readonly RpcOptions LongPoll = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Method_the_stand_in_does_not_implement_answers_unimplemented_naming_it()
    {
        await using var host = await TemporalHost.StartAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => Service(host).SignalWorkflowExecutionAsync(
            new SignalWorkflowExecutionRequest { Namespace = "default", WorkflowExecution = new() { WorkflowId = "x" }, SignalName = "s" }));

        Assert.Equal(RpcException.StatusCode.Unimplemented, refused.Code);
        Assert.Contains("WorkflowService/SignalWorkflowExecution is not implemented by the Temporal stand-in", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespace_other_than_default_is_not_found()
    {
        await using var host = await TemporalHost.StartAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => Service(host).DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "production" }));

        Assert.Equal(RpcException.StatusCode.NotFound, refused.Code);
        Assert.Contains("Namespace production is not found", refused.Message, StringComparison.Ordinal);
        Assert.Equal(NamespaceState.Registered, (await Service(host).DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" })).NamespaceInfo.State);
    }

    [Fact]
    public async Task Sticky_poll_gets_no_task_and_answers_empty_before_its_deadline()
    {
        await using var host = await TemporalHost.StartAsync();
        await StartAsync(host, "sticky-1");

        var sticky = await Service(host).PollWorkflowTaskQueueAsync(
            new PollWorkflowTaskQueueRequest
            {
                Namespace = "default",
                TaskQueue = new TaskQueueMessage { Name = "worker-1-sticky", Kind = TaskQueueKind.Sticky, NormalName = Queue },
            },
            new RpcOptions { Timeout = TimeSpan.FromSeconds(2) });

        Assert.True(sticky.TaskToken.IsEmpty);
        Assert.Equal(EventType.WorkflowTaskStarted, (await PollAsync(host)).History.Events[^1].EventType);
    }

    [Fact]
    public async Task Workflow_task_not_answered_in_its_timeout_is_scheduled_again_and_the_late_answer_is_refused()
    {
        await using var host = await TemporalHost.StartAsync();
        var handle = await StartAsync(host, "timeout-1", taskTimeout: TimeSpan.FromSeconds(1));

        var first = await PollAsync(host);
        var second = await PollAsync(host);

        Assert.Equal((1, 2), (first.Attempt, second.Attempt));
        Assert.Equal(
            [EventType.WorkflowExecutionStarted, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted, EventType.WorkflowTaskTimedOut, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted],
            second.History.Events.Select(e => e.EventType));
        var late = await Assert.ThrowsAsync<RpcException>(() => CompleteAsync(host, first, new Command
        {
            CommandType = CommandType.CompleteWorkflowExecution,
            CompleteWorkflowExecutionCommandAttributes = new(),
        }));
        Assert.Equal(RpcException.StatusCode.NotFound, late.Code);

        await CompleteAsync(host, second, new Command { CommandType = CommandType.CompleteWorkflowExecution, CompleteWorkflowExecutionCommandAttributes = new() });
        await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(WorkflowExecutionStatus.Completed, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task Command_the_stand_in_does_not_implement_fails_the_workflow_task_naming_it()
    {
        await using var host = await TemporalHost.StartAsync();
        await StartAsync(host, "child-1");
        var task = await PollAsync(host);

        var refused = await Assert.ThrowsAsync<RpcException>(() => CompleteAsync(host, task, new Command
        {
            CommandType = CommandType.StartChildWorkflowExecution,
            StartChildWorkflowExecutionCommandAttributes = new() { WorkflowId = "child", WorkflowType = new() { Name = "Child" } },
        }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, refused.Code);
        Assert.Contains("does not implement the StartChildWorkflowExecution command", refused.Message, StringComparison.Ordinal);
        var retried = await PollAsync(host);
        Assert.Equal(2, retried.Attempt);
        Assert.Contains(retried.History.Events, e => e.EventType == EventType.WorkflowTaskFailed);
    }

    [Fact]
    public async Task Cancel_arriving_while_a_workflow_task_runs_waits_for_it_and_refuses_a_completion_that_has_not_seen_it()
    {
        await using var host = await TemporalHost.StartAsync();
        var handle = await StartAsync(host, "buffered-1");
        var first = await PollAsync(host);

        await handle.CancelAsync();
        await CompleteAsync(host, first, new Command { CommandType = CommandType.CompleteWorkflowExecution, CompleteWorkflowExecutionCommandAttributes = new() });
        var second = await PollAsync(host);

        Assert.Equal(
            [EventType.WorkflowExecutionStarted, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted, EventType.WorkflowTaskFailed,
             EventType.WorkflowExecutionCancelRequested, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted],
            second.History.Events.Select(e => e.EventType));
        Assert.Equal(WorkflowTaskFailedCause.UnhandledCommand, second.History.Events[3].WorkflowTaskFailedEventAttributes.Cause);
        await CompleteAsync(host, second, new Command { CommandType = CommandType.CancelWorkflowExecution, CancelWorkflowExecutionCommandAttributes = new() });
        Assert.Equal(WorkflowExecutionStatus.Canceled, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task History_long_poll_is_held_until_the_next_event_is_written()
    {
        await using var host = await TemporalHost.StartAsync();
        var handle = await StartAsync(host, "history-1");
        var request = new GetWorkflowExecutionHistoryRequest { Namespace = "default", Execution = new() { WorkflowId = "history-1" }, WaitNewEvent = true };
        var firstPage = await Service(host).GetWorkflowExecutionHistoryAsync(request, LongPoll);
        Assert.Equal(2, firstPage.History.Events.Count);
        Assert.False(firstPage.NextPageToken.IsEmpty);

        request.NextPageToken = firstPage.NextPageToken;
        var waiting = Service(host).GetWorkflowExecutionHistoryAsync(request, LongPoll);
        Assert.False(waiting.IsCompleted);
        await handle.CancelAsync();
        var next = await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(EventType.WorkflowExecutionCancelRequested, Assert.Single(next.History.Events).EventType);
        Assert.Equal(3, next.History.Events[0].EventId);
    }

    [Fact]
    public async Task Workflows_are_listed_newest_first_and_filtered_by_a_simple_query()
    {
        await using var host = await TemporalHost.StartAsync();
        await StartAsync(host, "list-1");
        await StartAsync(host, "list-2");

        var all = await Service(host).ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = "default" });
        var one = await Service(host).ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = "default", Query = "WorkflowId = 'list-1' AND ExecutionStatus = 'Running'" });
        var unreadable = await Assert.ThrowsAsync<RpcException>(() => Service(host).ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = "default", Query = "StartTime > '2026-01-01'" }));

        Assert.Equal(["list-2", "list-1"], all.Executions.Select(e => e.Execution.WorkflowId));
        Assert.Equal("list-1", Assert.Single(one.Executions).Execution.WorkflowId);
        Assert.Equal(RpcException.StatusCode.InvalidArgument, unreadable.Code);
    }

    private static WorkflowService Service(TemporalHost host) => host.Client.Connection.WorkflowService;

    private static Task<WorkflowHandle> StartAsync(TemporalHost host, string id, TimeSpan? taskTimeout = null) =>
        host.Client.StartWorkflowAsync("HandDriven", [], new WorkflowOptions(id, Queue) { TaskTimeout = taskTimeout });

    private static async Task<PollWorkflowTaskQueueResponse> PollAsync(TemporalHost host)
    {
        var task = await Service(host).PollWorkflowTaskQueueAsync(
            new PollWorkflowTaskQueueRequest { Namespace = "default", TaskQueue = new TaskQueueMessage { Name = Queue }, Identity = "hand" },
            LongPoll);
        Assert.False(task.TaskToken.IsEmpty, "no workflow task came");
        return task;
    }

    private static Task<RespondWorkflowTaskCompletedResponse> CompleteAsync(TemporalHost host, PollWorkflowTaskQueueResponse task, Command command) =>
        Service(host).RespondWorkflowTaskCompletedAsync(new RespondWorkflowTaskCompletedRequest
        {
            Namespace = "default",
            TaskToken = task.TaskToken,
            Identity = "hand",
            Commands = { command },
        });
}
