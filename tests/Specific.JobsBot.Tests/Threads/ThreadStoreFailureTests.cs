using System.Globalization;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>
/// The thread keeper against a thread store whose writes fail (a full disk) and then recover: each reply, and the
/// full-log file, is in the thread exactly once afterwards, as conversations.replies returns the thread.
/// </summary>
public sealed class ThreadStoreFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(25, Ct);
        }
    }

    private static async Task<(ThreadKeeperHarness World, JobRecord Job, string MessageTs)> StartWithMessageAsync(FailingThreadStore store)
    {
        var world = await ThreadKeeperHarness.StartAsync(threadStore: store);
        await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync();
        var thread = await world.WaitForThreadAsync(job.Id, t => t.MessageTs is not null);
        return (world, job, thread.MessageTs!);
    }

    private static async Task RunToRunningAsync(ThreadKeeperHarness world, JobRecord job)
    {
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.AddDetailsAsync(job.Id, new JobDetails("specific-job-once", "production", "web:1"), Ct);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
    }

    private static int Count(IReadOnlyList<string> replies, string text) =>
        replies.Count(reply => reply.Contains(text, StringComparison.Ordinal));

    [Fact]
    public async Task Nothing_is_posted_while_the_thread_store_cannot_be_written_and_each_reply_appears_once_after_it_recovers()
    {
        const string Printed = "printed-while-the-disk-was-full";
        using var store = new FailingThreadStore();
        var (world, job, messageTs) = await StartWithMessageAsync(store);
        await using var _ = world;
        await RunToRunningAsync(world, job);
        var version = (await world.Jobs.GetAsync(job.Id, Ct))!.Version;
        await world.WaitForThreadAsync(job.Id, t => t.PostedState == "running" && t.RenderedVersion == version);

        store.DiskFull = true;
        world.Logs.Write(job.Id, Printed);
        await WaitUntilAsync(() => store.FailedWrites >= 5, "the keeper has tried to write the thread several times");
        Assert.Equal(0, Count(await world.RepliesOverApiAsync(messageTs), Printed));

        store.Recover();
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 1);
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        await world.WaitForFinalAsync(job.Id);

        var replies = await world.RepliesOverApiAsync(messageTs);
        Assert.Equal(1, Count(replies, "Queued"));
        Assert.Equal(1, Count(replies, "Running as Kubernetes Job `specific-job-once`"));
        // Once in an excerpt, and once more in the final reply's tail, which always shows the last lines.
        Assert.Equal(2, Count(replies, Printed));
        Assert.Equal(1, Count(replies, "Succeeded"));
    }

    [Fact]
    public async Task A_reply_whose_cursor_could_not_be_saved_after_posting_is_found_in_the_thread_not_posted_again()
    {
        using var store = new FailingThreadStore();
        var (world, job, messageTs) = await StartWithMessageAsync(store);
        await using var _ = world;

        // The store fails exactly the save that records the running reply as posted.
        store.FailSavesWhere(thread => thread.PostedState == "running");
        await RunToRunningAsync(world, job);
        await WaitUntilAsync(() => store.FailedWrites >= 3, "the keeper has failed to record the running reply three times");
        Assert.Equal(1, Count(await world.RepliesOverApiAsync(messageTs), "Running as"));

        store.Recover();
        await world.WaitForThreadAsync(job.Id, t => t.PostedState == "running");
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        await world.WaitForFinalAsync(job.Id);

        var replies = await world.RepliesOverApiAsync(messageTs);
        Assert.Equal(1, Count(replies, "Queued"));
        Assert.Equal(1, Count(replies, "Running as Kubernetes Job `specific-job-once`"));
        Assert.Equal(1, Count(replies, "Succeeded"));
    }

    [Fact]
    public async Task A_full_log_whose_upload_could_not_be_recorded_is_found_in_the_thread_not_uploaded_again()
    {
        using var store = new FailingThreadStore();
        var (world, job, messageTs) = await StartWithMessageAsync(store);
        await using var _ = world;

        await RunToRunningAsync(world, job);
        await world.WaitForThreadAsync(job.Id, t => t.PostedState == "running");
        // More lines than one excerpt reads, all at once: the thread cannot show them all, so the file follows.
        world.Logs.Write(job.Id, Enumerable.Range(1, 500).Select(n => "line-" + n.ToString("D4", CultureInfo.InvariantCulture)));
        store.FailSavesWhere(thread => thread.FinalPosted);
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        await WaitUntilAsync(() => world.Slack.Files.Count > 0 && store.FailedWrites >= 3, "the file is up and its upload failed to be recorded three times");

        store.Recover();
        await world.WaitForFinalAsync(job.Id);

        Assert.Single(world.Slack.Files);
        Assert.Equal(1, Count(await world.RepliesOverApiAsync(messageTs), "Succeeded"));
    }
}
