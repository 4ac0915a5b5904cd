using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>
/// The production path: the bot starts the RunJob workflow, a separate worker process runs it on the Temporal stand-in,
/// and Temporal's durable execution carries a job through the loss of its worker.
/// </summary>
public sealed class TemporalEngineTests
{
    private static readonly Dictionary<string, string> ShortTail = new(StringComparer.Ordinal) { ["Threads__FinalTailLines"] = "3" };

    [Fact]
    public async Task A_job_is_the_workflow_job_id_and_completes_on_the_worker()
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var job = await sandbox.SlashCommand("job run web echo $GREETING");
        await sandbox.WaitForState(job, "succeeded", TimeSpan.FromSeconds(30));

        var workflow = await JobsSandbox.Eventually(
            () => sandbox.WorkflowOf(job) is { Status: "Completed" } done ? done : null,
            TimeSpan.FromSeconds(10), () => $"The workflow job-{job.Id} did not complete.\n{sandbox.Describe(job)}");
        Assert.Equal("RunJob", workflow.WorkflowType);
        Assert.Contains(workflow.History, e => e.EventType == "WorkflowExecutionCompleted");
        var thread = await sandbox.WaitForFinalReply(job, TimeSpan.FromSeconds(30));
        Assert.Contains("hello-from-web", string.Join('\n', thread.Select(r => r.VisibleText)), StringComparison.Ordinal);
        Assert.Equal(("COMPLETED", "RunJob", "specific-jobs"), await NodeTemporalClient.DescribeAsync(sandbox.Temporal!.TargetHost, "job-" + job.Id));
    }

    [Fact]
    public async Task A_cancelled_job_is_a_cancelled_workflow_to_the_official_client()
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var job = await sandbox.SlashCommand("job run web for i in $(seq 1 60); do echo tick-$i; sleep 1; done");
        await sandbox.WaitForState(job, "running", TimeSpan.FromSeconds(30));
        await sandbox.ClickCancel(job);
        await sandbox.WaitForState(job, "cancelled", TimeSpan.FromSeconds(30));

        // The job's record turns cancelled in the workflow's last activity, a moment before the workflow itself closes.
        var described = await JobsSandbox.Eventually(async () =>
            await NodeTemporalClient.DescribeAsync(sandbox.Temporal!.TargetHost, "job-" + job.Id) is { Status: not "RUNNING" } closed ? Tuple.Create(closed) : null,
            TimeSpan.FromSeconds(10), () => $"The workflow job-{job.Id} stayed running.\n{sandbox.Describe(job)}");
        Assert.Equal(("CANCELLED", "RunJob", "specific-jobs"), described.Item1);
    }

    [Fact]
    public async Task Worker_killed_mid_follow_is_replaced_and_the_job_reaches_its_true_end_once_with_no_duplicate_in_the_thread()
    {
        await using var sandbox = await JobsSandbox.StartAsync(ShortTail);
        const int lines = 30;

        var job = await sandbox.SlashCommand($"job run web for i in $(seq 1 {lines}); do echo tick-$i; sleep 0.5; done");
        await JobsSandbox.Eventually(() => sandbox.StateOf(job) == "running"
                ? sandbox.ThreadOf(job).FirstOrDefault(r => ThreadStory.Ticks(r.VisibleText).Count > 0) : null,
            TimeSpan.FromSeconds(20), () => $"No output reached the running job's thread before the kill.\n{sandbox.Describe(job)}");

        await sandbox.KillWorker();
        await sandbox.RestartWorker();

        // The dead worker's follow is noticed by its heartbeat timeout (30 s), then retried on the new worker from its last heartbeat.
        await sandbox.WaitForState(job, "succeeded", TimeSpan.FromSeconds(90));
        var thread = await sandbox.WaitForFinalReply(job, TimeSpan.FromSeconds(30));
        var story = ThreadStory.Of(thread);
        story.AssertTellsEveryLineOnceInOrder(lines, sandbox.Describe(job));
        Assert.Contains("exit code `0`", story.Final!.Text, StringComparison.Ordinal);
        Assert.Single(thread, JobsSandbox.IsFinalReply);
        Assert.Single(sandbox.BotMessagesInChannel());

        var workflow = sandbox.WorkflowOf(job)!;
        Assert.Equal("Completed", workflow.Status);
        var followAttempts = workflow.History
            .Where(e => e.EventType == "ActivityTaskStarted")
            .Select(e => e.Json)
            .Where(json => json.Contains("\"attempt\": 2", StringComparison.Ordinal) || json.Contains("\"attempt\":2", StringComparison.Ordinal))
            .ToList();
        Assert.True(followAttempts.Count == 1, $"The follow should have completed on its second attempt.\n{sandbox.Describe(job)}");
        Assert.Equal(2, sandbox.Worker!.Starts);
    }
}
