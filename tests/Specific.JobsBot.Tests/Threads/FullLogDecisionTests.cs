using System.Text;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Threads;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>Whether a job's thread ends with its full log as a file counts what the thread cut, lines and characters alike.</summary>
public sealed class FullLogDecisionTests
{
    private const int LineLength = 2_000_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string LongLine() => "start-" + new string('x', LineLength - "start-".Length - "-end".Length) + "-end";

    [Fact]
    public async Task A_single_line_longer_than_the_thread_shows_gets_the_full_log_file_which_says_where_it_cut_the_line()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        world.Logs.Write(job.Id, LongLine());
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 1);
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        await world.WaitForFinalAsync(job.Id);

        var file = Assert.Single(world.Slack.Files);
        var content = Encoding.UTF8.GetString(file.Content.Span);
        Assert.Contains("start-xxx", content, StringComparison.Ordinal);
        Assert.Contains("… [line cut at 65,536 characters of 2,000,000]", content, StringComparison.Ordinal);
        Assert.DoesNotContain("-end", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_restart_between_the_final_reply_and_the_file_a_cut_line_still_gets_its_file()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        var job = await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        world.Logs.Write(job.Id, LongLine());
        var ended = await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        // The dead writer posted the message and the final reply, and was stopped before the upload.
        var message = await world.PostAsBotAsync(new JobMessageRenderer().Render(ended, DateTimeOffset.UtcNow));
        await world.Threads.SaveAsync(new JobThread(job.Id, ThreadKeeperHarness.Channel, message.Ts, ended.Version, "succeeded", 1, false), Ct);

        await world.StartKeeperAsync("process-2");
        await world.WaitForFinalAsync(job.Id);

        var file = Assert.Single(world.Slack.Files);
        Assert.Contains("[line cut at 65,536 characters of 2,000,000]", Encoding.UTF8.GetString(file.Content.Span), StringComparison.Ordinal);
    }
}
