using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>The thread tells the whole story once and in order when the bot is killed mid-job or Slack rate-limits everything.</summary>
public sealed class ResilienceTests
{
    // A short final tail, so the excerpts (not the tail) must carry most lines and a duplicate or a gap shows.
    private static readonly Dictionary<string, string> ShortTail = new(StringComparer.Ordinal) { ["Threads__FinalTailLines"] = "3" };

    [Fact]
    public async Task Bot_killed_mid_job_and_restarted_leaves_no_duplicate_or_missing_lines_and_delivers_the_final_state()
    {
        await using var sandbox = await JobsSandbox.StartAsync(ShortTail);
        const int lines = 14;

        var job = await sandbox.SlashCommand($"job run web for i in $(seq 1 {lines}); do echo tick-$i; sleep 0.3; done");
        // Output comes first: the thread may show lines before the message is re-rendered as running, so wait for both.
        await JobsSandbox.Eventually(() => sandbox.StateOf(job) == "running"
                ? sandbox.ThreadOf(job).FirstOrDefault(r => ThreadStory.Ticks(r.VisibleText).Count > 0) : null,
            TimeSpan.FromSeconds(15), () => $"No output reached the running job's thread before the kill.\n{sandbox.Describe(job)}");
        await sandbox.KillBot();
        Assert.Equal("running", sandbox.StateOf(job));
        await sandbox.RestartBot();

        await sandbox.WaitForState(job, "succeeded", TimeSpan.FromSeconds(30));
        var thread = await sandbox.WaitForFinalReply(job, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken); // anything posted twice would show up now
        thread = sandbox.ThreadOf(job);

        var story = ThreadStory.Of(thread);
        story.AssertTellsEveryLineOnceInOrder(lines, sandbox.Describe(job));
        Assert.Contains("exit code `0`", story.Final!.Text, StringComparison.Ordinal);
        Assert.True(sandbox.BotMessagesInChannel().Count == 1, $"The job has more than one message.\n{sandbox.Describe(job)}");
        Assert.Single(thread, JobsSandbox.IsFinalReply);
        AssertFullLogIfUploaded(sandbox, job, lines);
        Assert.Equal(2, sandbox.Bot.Starts);
    }

    [Fact]
    public async Task A_slack_retry_of_a_job_run_that_reaches_a_restarted_bot_starts_no_second_job()
    {
        await using var sandbox = await JobsSandbox.StartAsync();
        var trigger = $"{Random.Shared.NextInt64(1_000_000_000)}.{Random.Shared.NextInt64(1_000_000)}.{Guid.NewGuid():N}";
        var before = sandbox.MessagesNow();

        var first = await sandbox.PostSlashCommand("job run web echo once", trigger);
        Assert.Equal(200, first.Status);
        var job = await sandbox.WaitForNewJob(before, "/specific job run web echo once");
        await sandbox.WaitForState(job, "succeeded", TimeSpan.FromSeconds(30));

        // A new process remembers no trigger_id: like another replica, only the durable ledger can tell it is a repeat.
        await sandbox.KillBot();
        await sandbox.RestartBot();
        var retry = await sandbox.PostSlashCommand("job run web echo once", trigger, retryNum: 1);
        var fresh = await sandbox.PostSlashCommand("job run web echo twice", trigger + "-new");

        Assert.Equal(200, retry.Status);
        Assert.Equal(200, fresh.Status);
        await JobsSandbox.Eventually(() => sandbox.BotMessagesInChannel().Count == 2 ? "" : null, TimeSpan.FromSeconds(20),
            () => $"The new command's job did not appear.\n{sandbox.Bot.RecentOutput}");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken); // a second job for the retry would show up by now
        var messages = sandbox.BotMessagesInChannel();
        Assert.Equal(2, messages.Count);
        Assert.Single(messages, m => m.VisibleText.Contains("echo once", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_storm_of_429s_while_a_job_prints_many_lines_still_delivers_every_line_in_order_and_the_final_state()
    {
        await using var sandbox = await JobsSandbox.StartAsync(ShortTail);
        const int lines = 60;

        // Counted, not timed: a storm of a few seconds of wall clock could pass before a slow machine's first call.
        sandbox.Slack.Faults.RateLimitNext(6, method: null, retryAfterSeconds: 1);
        var job = await sandbox.SlashCommand($"job run web for i in $(seq 1 {lines}); do echo tick-$i; sleep 0.1; done");
        await sandbox.WaitForState(job, "succeeded", TimeSpan.FromSeconds(30));
        var thread = await sandbox.WaitForFinalReply(job, TimeSpan.FromSeconds(30));

        var story = ThreadStory.Of(thread);
        story.AssertTellsEveryLineOnceInOrder(lines, sandbox.Describe(job));
        Assert.Contains("exit code `0`", story.Final!.Text, StringComparison.Ordinal);
        Assert.Single(sandbox.BotMessagesInChannel());
        Assert.True(sandbox.Slack.Calls.Count(c => c.StatusCode == 429) >= 3, "The storm never hit the bot: " + string.Join(", ", sandbox.Slack.Calls.Select(c => $"{c.Method}:{c.StatusCode}")));
        AssertFullLogIfUploaded(sandbox, job, lines);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    private static void AssertFullLogIfUploaded(JobsSandbox sandbox, JobHandle job, int lines)
    {
        foreach (var file in sandbox.Slack.Files.Where(f => f.Name.Contains(job.Id, StringComparison.Ordinal)))
        {
            var ticks = ThreadStory.Ticks(System.Text.Encoding.UTF8.GetString(file.Content.Span));
            Assert.True(ticks.SequenceEqual(Enumerable.Range(1, lines)), $"The full log file {file.Name} has lines {string.Join(",", ticks)}");
        }
    }
}
