using System.Globalization;
using System.Text.RegularExpressions;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Threads;
using Specific.Sandbox.SlackStandIn;

namespace Specific.JobsBot.Tests.Threads;

public sealed partial class ThreadKeeperResilienceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Line(int n) => "line-" + n.ToString("D4", CultureInfo.InvariantCulture);

    private static IEnumerable<string> Lines(int from, int to) => Enumerable.Range(from, to - from + 1).Select(Line);

    /// <summary>Runs a job through its life, writing output in three bursts.</summary>
    private static async Task<JobRecord> RunJobAsync(ThreadKeeperHarness world, int linesPerBurst = 20)
    {
        var job = await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        for (var burst = 0; burst < 3; burst++)
        {
            world.Logs.Write(job.Id, Lines(burst * linesPerBurst + 1, (burst + 1) * linesPerBurst));
            await Task.Delay(300, Ct);
        }
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        return job;
    }

    /// <summary>Each line number that appears in the excerpts (not the final reply), in order.</summary>
    private static List<int> ExcerptLines(IEnumerable<StandInMessage> replies) =>
        replies.Where(r => !r.VisibleText.Contains("*Succeeded*", StringComparison.Ordinal))
            .SelectMany(r => LineNumber().Matches(r.VisibleText).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)))
            .ToList();

    private static void AssertOneCompleteThread(ThreadKeeperHarness world, JobRecord job, int totalLines)
    {
        var message = Assert.Single(world.Messages(), m => m.VisibleText.Contains(job.Id, StringComparison.Ordinal));
        Assert.Contains("✅", message.VisibleText, StringComparison.Ordinal);
        var replies = world.Replies(message.Ts);
        // Each state is told once, queued before running (in one reply or two).
        Assert.Single(replies, r => r.Text.Contains("🕒 Queued", StringComparison.Ordinal));
        Assert.Single(replies, r => r.Text.Contains("▶️ Running", StringComparison.Ordinal));
        var final = Assert.Single(replies, r => r.VisibleText.Contains("*Succeeded* with exit code `0`", StringComparison.Ordinal));
        Assert.Same(final, replies.Last(r => r.Files.Count == 0));
        var story = string.Join("\n", replies.Select(r => r.Text));
        Assert.True(story.IndexOf("🕒 Queued", StringComparison.Ordinal) < story.IndexOf("▶️ Running", StringComparison.Ordinal));

        // Excerpts go out in order with no line twice; whatever they did not show, the final tail shows.
        var shown = ExcerptLines(replies);
        Assert.Equal(shown.Order().Distinct(), shown);
        var unshown = Enumerable.Range(1, totalLines).Except(shown).ToList();
        Assert.All(unshown, n => Assert.Contains(Line(n), final.VisibleText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_storm_of_429s_obeys_Retry_After_and_still_delivers_everything_in_order()
    {
        // The stand-in's own Slack-like limits (sped up 10x) plus a storm where the next five calls, whatever they are,
        // are refused: counted, not timed, so a slow machine's first call cannot arrive after the storm has passed.
        await using var world = await ThreadKeeperHarness.StartAsync(new SlackRateLimits { Scale = 10 });
        await world.StartKeeperAsync("keeper-a");
        world.Slack.Faults.RateLimitNext(5, retryAfterSeconds: 1);

        var job = await RunJobAsync(world);
        await world.WaitForFinalAsync(job.Id, TimeSpan.FromSeconds(40));

        AssertOneCompleteThread(world, job, 60);
        var calls = world.Slack.Calls;
        Assert.Contains(calls, c => c.StatusCode == 429);
        foreach (var (limited, index) in calls.Select((c, i) => (c, i)).Where(x => x.c.StatusCode == 429))
        {
            // After a 429 nothing calls that method again before Retry-After (1 s) has passed.
            var next = calls.Skip(index + 1).FirstOrDefault(c => c.Method == limited.Method);
            if (next is not null)
            {
                Assert.True(next.At >= limited.At + TimeSpan.FromMilliseconds(950),
                    $"{limited.Method} was called {(next.At - limited.At).TotalMilliseconds} ms after a 429 asking for 1 s.");
            }
        }
    }

    [Fact]
    public async Task Server_errors_and_dropped_connections_are_retried_without_duplicates()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        await world.StartKeeperAsync("keeper-a");
        world.Slack.Faults.ServerErrorNext(3, "chat.postMessage");
        world.Slack.Faults.DropNext(1, "chat.update");

        var job = await RunJobAsync(world);
        await world.WaitForFinalAsync(job.Id);

        AssertOneCompleteThread(world, job, 60);
        Assert.Equal(3, world.Slack.Calls.Count(c => c.StatusCode == 500));
    }

    [Fact]
    public async Task A_restarted_keeper_resumes_from_the_cursor_without_duplicates()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        var first = await world.StartKeeperAsync("process-1");
        var job = await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        world.Logs.Write(job.Id, Lines(1, 30));
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 30);

        await world.StopKeeperAsync(first);
        Assert.Null(world.Threads.LeaseOwner(job.Id));
        world.Logs.Write(job.Id, Lines(31, 90));
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        await Task.Delay(300, Ct);
        Assert.Single(world.Messages());

        await world.StartKeeperAsync("process-2");
        var final = await world.WaitForFinalAsync(job.Id);

        AssertOneCompleteThread(world, job, 90);
        Assert.Equal(90, final.PostedLogLine);
        Assert.Contains(world.Threads.Writes, w => w.LeaseOwner == "process-2" && w.Thread.FinalPosted);
    }

    [Fact]
    public async Task A_message_posted_by_a_writer_that_died_before_saving_its_ts_is_adopted_not_posted_again()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        var job = await world.CreateSlackJobAsync();
        // The dead writer saved its cursor, posted the message, and was killed before saving the ts.
        await world.Threads.SaveAsync(new JobThread(job.Id, ThreadKeeperHarness.Channel, null, 0, null, 0, false), Ct);
        var orphan = await world.PostAsBotAsync(new JobMessageRenderer().Render(job, DateTimeOffset.UtcNow));

        await world.StartKeeperAsync("process-2");
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        var thread = await world.WaitForThreadAsync(job.Id, t => t.PostedState == "queued");

        Assert.Equal(orphan.Ts, thread.MessageTs);
        var message = Assert.Single(world.Messages());
        Assert.Equal(orphan.Ts, message.Ts);
        Assert.Contains("🕒", message.VisibleText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_keeper_writes_a_thread_while_another_holds_its_lease_and_it_is_taken_over_when_it_lapses()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        var job = await world.CreateSlackJobAsync();
        var now = DateTimeOffset.UtcNow;
        // Long enough not to lapse before the checks below however slow the machine (a 2 s lease did under load).
        Assert.True(await world.Threads.TryLeaseAsync(job.Id, "crashed-replica", now, now.AddMinutes(5), Ct));

        await world.StartKeeperAsync("replica-b");
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await Task.Delay(1000, Ct);
        Assert.Empty(world.Messages());
        Assert.Null(await world.Threads.GetAsync(job.Id, Ct));

        // The crashed replica's last renewal ran until now, and it never renews again.
        var lapsed = DateTimeOffset.UtcNow;
        Assert.True(await world.Threads.TryLeaseAsync(job.Id, "crashed-replica", lapsed, lapsed, Ct));
        // Once the lease lapses the sweep hands the thread to replica-b.
        var thread = await world.WaitForThreadAsync(job.Id, t => t.PostedState == "queued", TimeSpan.FromSeconds(10));
        Assert.NotNull(thread.MessageTs);
        Assert.Equal("replica-b", world.Threads.LeaseOwner(job.Id));
    }

    [Fact]
    public async Task Two_live_replicas_write_each_thread_from_one_of_them_only()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        await world.StartKeeperAsync("replica-a");
        await world.StartKeeperAsync("replica-b");

        var jobs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunJobAsync(world, linesPerBurst: 5)));
        foreach (var job in jobs)
        {
            await world.WaitForFinalAsync(job.Id);
        }

        foreach (var job in jobs)
        {
            AssertOneCompleteThread(world, job, 15);
            var owners = world.Threads.Writes.Where(w => w.Thread.JobId == job.Id).Select(w => w.LeaseOwner).Distinct().ToList();
            Assert.Single(owners);
            Assert.NotNull(owners[0]);
        }
    }

    [GeneratedRegex(@"line-(\d{4})")]
    private static partial Regex LineNumber();
}
