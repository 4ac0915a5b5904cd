using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Threads;
using Specific.Sandbox.SlackStandIn;

namespace Specific.JobsBot.Tests.Threads;

public sealed class ThreadKeeperTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_job_gets_one_message_kept_current_and_a_thread_from_queued_to_final()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        await world.StartKeeperAsync("keeper-a");

        var job = await world.CreateSlackJobAsync(name: "greet");
        var posted = await world.WaitForThreadAsync(job.Id, t => t.MessageTs is not null);
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.AddDetailsAsync(job.Id, new JobDetails("specific-job-x", "production", "web:1", ["sidecar `envoy` not replicated"]), Ct);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        world.Logs.Write(job.Id, "hello-from-web", "second line");
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 2);
        world.Logs.Write(job.Id, "third line");
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        var final = await world.WaitForFinalAsync(job.Id);

        var message = Assert.Single(world.Messages());
        Assert.Equal(posted.MessageTs, message.Ts);
        Assert.Contains("✅ greet", message.VisibleText, StringComparison.Ordinal);
        Assert.Contains("Exit code", message.VisibleText, StringComparison.Ordinal);
        Assert.Contains("sidecar `envoy` not replicated", message.VisibleText, StringComparison.Ordinal);
        Assert.DoesNotContain("job_cancel", message.Blocks!.Value.GetRawText(), StringComparison.Ordinal);

        // Queued and Running are one reply or two, depending on whether Running came before the first one's turn.
        var replies = world.Replies(message.Ts).Select(r => r.VisibleText).ToList();
        Assert.Matches("^🕒 Queued, waiting for Kubernetes\\.\n▶️ Running as Kubernetes Job `specific-job-x`", string.Join("\n", world.Replies(message.Ts).Select(r => r.Text)));
        Assert.Single(replies, r => r.Contains("Queued", StringComparison.Ordinal));
        Assert.Single(replies, r => r.Contains("▶️ Running", StringComparison.Ordinal));
        Assert.Contains("hello-from-web\nsecond line", replies[^2], StringComparison.Ordinal);
        Assert.Contains("*Succeeded* with exit code `0`", replies[^1], StringComparison.Ordinal);
        Assert.Contains("third line", replies[^1], StringComparison.Ordinal);
        Assert.Empty(world.Slack.Files);
        Assert.Equal(new JobThread(job.Id, ThreadKeeperHarness.Channel, message.Ts, final.RenderedVersion, "succeeded", 3, true), final);
        Assert.Equal((await world.Jobs.GetAsync(job.Id, Ct))!.Version, final.RenderedVersion);
        Assert.Null(world.Threads.LeaseOwner(job.Id));
    }

    [Fact]
    public async Task A_job_that_ended_while_no_keeper_ran_still_gets_its_message_and_final_reply()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        var job = await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        world.Logs.Write(job.Id, "done before anyone looked");
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);

        await world.StartKeeperAsync("keeper-late");
        await world.WaitForFinalAsync(job.Id);

        var message = Assert.Single(world.Messages());
        Assert.Contains("✅", message.VisibleText, StringComparison.Ordinal);
        Assert.Contains(world.Replies(message.Ts), reply => reply.VisibleText.Contains("done before anyone looked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task States_entered_before_the_threads_turn_to_post_share_one_reply_in_order()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        var job = await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.AddDetailsAsync(job.Id, new JobDetails("specific-job-z", "production", "web:1"), Ct);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);

        await world.StartKeeperAsync("keeper-a");
        var thread = await world.WaitForThreadAsync(job.Id, t => t.PostedState == "running");

        var reply = Assert.Single(world.Replies(thread.MessageTs!));
        Assert.Equal("🕒 Queued, waiting for Kubernetes.\n▶️ Running as Kubernetes Job `specific-job-z` in `production`.", reply.Text);
    }

    [Fact]
    public async Task A_job_already_printing_when_its_running_reply_goes_out_shows_its_first_lines_in_that_reply()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        var job = await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        world.Logs.Write(job.Id, "first line", "second line");

        await world.StartKeeperAsync("keeper-a");
        var thread = await world.WaitForThreadAsync(job.Id, t => t.PostedState == "running");

        Assert.Equal(2, thread.PostedLogLine);
        var reply = Assert.Single(world.Replies(thread.MessageTs!));
        Assert.StartsWith("🕒 Queued, waiting for Kubernetes.\n▶️ Running in `production`.\nOutput, lines 1–2", reply.Text, StringComparison.Ordinal);
        Assert.Contains("first line\nsecond line", reply.VisibleText, StringComparison.Ordinal);

        // Later lines come as ordinary excerpts, each line once.
        world.Logs.Write(job.Id, "third line");
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 3);
        var replies = world.Replies(thread.MessageTs!);
        Assert.Equal(2, replies.Count);
        Assert.DoesNotContain("second line", replies[1].VisibleText, StringComparison.Ordinal);
        Assert.Contains("third line", replies[1].VisibleText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_updates_are_coalesced_to_the_latest_state()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync();
        await world.WaitForThreadAsync(job.Id, t => t.MessageTs is not null);

        // While one chat.update is slow, thirty more changes land; only the latest may be rendered after it.
        world.Slack.Faults.SlowNext(1, TimeSpan.FromMilliseconds(700), "chat.update");
        await world.Jobs.AddDetailsAsync(job.Id, new JobDetails(Notes: ["note 0"]), Ct);
        await Task.Delay(100, Ct);
        for (var i = 1; i <= 30; i++)
        {
            await world.Jobs.AddDetailsAsync(job.Id, new JobDetails(Notes: [$"note {i}"]), Ct);
        }
        var latest = (await world.Jobs.GetAsync(job.Id, Ct))!;
        await world.WaitForThreadAsync(job.Id, t => t.RenderedVersion == latest.Version);

        var updates = world.Slack.Calls.Count(c => c.Method == "chat.update");
        Assert.InRange(updates, 1, 3);
        Assert.Contains("note 30", Assert.Single(world.Messages()).VisibleText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_other_jobs_hold_the_workspaces_chat_update_budget_the_thread_still_gets_its_replies_and_output()
    {
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => o.MethodsPerMinute["chat.update"] = 60);
        var keeper = await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync();
        var posted = await world.WaitForThreadAsync(job.Id, t => t.MessageTs is not null);

        // Other jobs' updates take the next six seconds of chat.update (one a second).
        for (var i = 0; i < 6; i++)
        {
            world.PacerOf(keeper).ReserveMethod("chat.update");
        }
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.AddDetailsAsync(job.Id, new JobDetails("specific-job-y", "production", "web:1"), Ct);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        world.Logs.Write(job.Id, "output before the update");
        var flowing = await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 1, TimeSpan.FromSeconds(4));

        Assert.Equal("running", flowing.PostedState);
        Assert.True(flowing.RenderedVersion < (await world.Jobs.GetAsync(job.Id, Ct))!.Version, "the message waits for its update slot");
        Assert.DoesNotContain(world.Slack.Calls, call => call.Method == "chat.update");
        Assert.Contains(world.Replies(posted.MessageTs!), reply => reply.VisibleText.Contains("output before the update", StringComparison.Ordinal));

        // The thread is not closed before the message shows the end.
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        var final = await world.WaitForFinalAsync(job.Id);
        Assert.Equal((await world.Jobs.GetAsync(job.Id, Ct))!.Version, final.RenderedVersion);
        Assert.Contains("Exit code", Assert.Single(world.Messages()).VisibleText, StringComparison.Ordinal);
        Assert.InRange(world.Slack.Calls.Count(call => call.Method == "chat.update"), 1, 2);
    }

    [Fact]
    public async Task Flooding_output_shows_the_newest_lines_counts_the_skipped_and_uploads_the_full_log()
    {
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => o.MaxLinesPerExcerpt = 100);
        await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        await world.WaitForThreadAsync(job.Id, t => t.PostedState == "running");

        world.Logs.Write(job.Id, Enumerable.Range(1, 5000).Select(n => $"row {n} processed"));
        await world.Jobs.MoveAsync(job.Id, JobState.Failed, exitCode: 3, reason: "The command exited with code 3.");
        await world.WaitForFinalAsync(job.Id);

        var message = Assert.Single(world.Messages());
        var replies = world.Replies(message.Ts).Select(r => r.VisibleText).ToList();
        Assert.Contains(replies, r => r.Contains("earlier lines skipped", StringComparison.Ordinal) && r.Contains("row 4975 processed", StringComparison.Ordinal));
        var final = Assert.Single(replies, r => r.Contains("*Failed* with exit code `3`", StringComparison.Ordinal));
        Assert.Contains("row 5000 processed", final, StringComparison.Ordinal);
        Assert.Contains("The full log (5,000 lines) follows as a file.", final, StringComparison.Ordinal);

        var file = Assert.Single(world.Slack.Files);
        Assert.Equal($"{job.Id}.log", file.Name);
        Assert.Contains(world.Replies(message.Ts), reply => reply.Files.Any(shared => shared.Id == file.Id));
        var content = System.Text.Encoding.UTF8.GetString(file.Content.Span);
        Assert.Equal(5000, content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // Each line as the Full log button writes it: its UTC timestamp, then its text.
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z row 1 processed\n", content);
    }

    [Fact]
    public async Task A_thread_whose_channel_is_gone_is_closed_instead_of_retried_forever()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        await world.StartKeeperAsync("keeper-a");
        var job = await world.Jobs.CreateAsync(
            new JobRequest("web", "production", "true", null, new JobOrigin(JobOrigin.Slack, "T1", "no-such-channel", "U1")), Ct);

        var thread = await world.WaitForFinalAsync(job.Id);

        Assert.Null(thread.MessageTs);
        Assert.Single(world.Slack.Calls, call => call.Method == "chat.postMessage" && call.Error == "channel_not_found");
        // The writer closes the thread, then tells the requester, then gives its lease back as it ends.
        await Commands.Host.FrontDoorApp.EventuallyAsync(() => world.Threads.LeaseOwner(job.Id) is null, "the closed thread's lease to be released");
    }

    [Fact]
    public async Task A_thread_the_bot_was_removed_from_stops_and_its_requester_is_told_once_by_direct_message()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync();
        await world.WaitForThreadAsync(job.Id, t => t.MessageTs is not null);

        world.Slack.RemoveBot(ThreadKeeperHarness.Channel);
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        var thread = await world.WaitForFinalAsync(job.Id);
        var told = await world.Slack.WaitForMessageAsync(m => m.ChannelId == "D0ALICE", TimeSpan.FromSeconds(10), Ct);

        Assert.Contains($"can no longer post in <#{ThreadKeeperHarness.Channel}> (not_in_channel)", told.Text, StringComparison.Ordinal);
        Assert.Contains($"/specific job logs {job.Id}", told.Text, StringComparison.Ordinal);
        Assert.Single(world.Slack.Calls, call => call.Error == "not_in_channel");
        Assert.True(thread.FinalPosted);
        Assert.Single(world.Slack.ChannelMessages("D0ALICE"));
        // The job's own record says why its thread ends here (the note is saved before the requester is told).
        Assert.Contains(
            $"Its Slack thread stopped: the app could not post in <#{ThreadKeeperHarness.Channel}> (not_in_channel).",
            world.Jobs.Get(job.Id).Notes);
    }

    [Fact]
    public async Task Jobs_not_started_from_slack_are_left_alone()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        await world.StartKeeperAsync("keeper-a");
        var job = await world.Jobs.CreateAsync(new JobRequest("web", "production", "true", null, new JobOrigin("dashboard")), Ct);
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await Task.Delay(500, Ct);

        Assert.Null(await world.Threads.GetAsync(job.Id, Ct));
        Assert.Empty(world.Slack.Calls);
    }
}
