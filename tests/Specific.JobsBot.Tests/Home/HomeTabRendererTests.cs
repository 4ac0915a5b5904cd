using Specific.Jobs.Domain;
using Specific.JobsBot.Home;
using Specific.JobsBot.Tests.Threads;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Home;

/// <summary>The Home view as views.publish receives it, pinned as golden JSON in Home/Golden.</summary>
public sealed class HomeTabRendererTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 13, 0, 0, TimeSpan.Zero);
    private readonly HomeTabRenderer _renderer = new();

    private static HomeTabJob Row(string id, JobState state, string command, string timing, string? name = null, bool linked = true) =>
        new(id, name ?? id, state, "web", "production", command, timing,
            linked ? new Uri($"https://acme.slack.com/archives/C0OPS/p17000000000{id[^2..]}") : null);

    [Fact]
    public void A_viewer_with_running_and_ended_jobs_sees_both_with_links_and_the_run_button()
    {
        var tab = new HomeTab(
            "U0ANA",
            [Row("j-run00001", JobState.Running, "rake cache:purge", "running for 2 minutes", name: "purge"), Row("j-que00002", JobState.Queued, "echo <hi> & `bye`", "queued 3 seconds ago", linked: false)],
            [Row("j-end00003", JobState.Succeeded, "echo done", "ran for 5 seconds"), Row("j-end00004", JobState.Failed, "exit 3", "ran for 1 second")]);

        var view = _renderer.Render(tab);

        Assert.Empty(BlockKitLimits.Check(view));
        GoldenFile.VerifyPayload("home_running_and_ended", view);
    }

    [Fact]
    public void A_viewer_without_jobs_sees_the_run_button_and_says_so()
    {
        var view = _renderer.Render(new HomeTab("U0ANA", [], []) { Warning = "Secret values of some of these jobs could not be read." });

        Assert.Empty(BlockKitLimits.Check(view));
        GoldenFile.VerifyPayload("home_empty", view);
    }

    [Fact]
    public void Many_jobs_and_long_commands_stay_within_Block_Kit_limits()
    {
        // The same jobs in both lists, as a read made mid-change could give them: still one block_id each per list.
        var many = Enumerable.Range(0, 60).Select(i => Row($"j-many{i:D4}", JobState.Running, new string('x', 5000), "running for 1 hour", name: new string('n', 400))).ToList();

        var view = _renderer.Render(new HomeTab("U0ANA", many, many));

        Assert.Empty(BlockKitLimits.Check(view));
        Assert.Equal(HomeTabRenderer.MaxRowsPerList, view.Blocks.Count(b => b.BlockId?.StartsWith(HomeTabRenderer.UnfinishedBlockPrefix, StringComparison.Ordinal) == true));
        Assert.Equal(HomeTabRenderer.MaxRowsPerList, view.Blocks.Count(b => b.BlockId?.StartsWith(HomeTabRenderer.EndedBlockPrefix, StringComparison.Ordinal) == true));
    }

    [Fact]
    public void A_row_says_what_the_job_message_says_about_its_time()
    {
        var job = new JobRecord
        {
            Id = "j-abc12345", Service = "web", Environment = "staging", Command = "sleep 60", Origin = new JobOrigin(JobOrigin.Slack, UserId: "U0ANA"),
            State = JobState.Running, Version = 3, CreatedAt = Now.AddMinutes(-3), QueuedAt = Now.AddMinutes(-3), RunningAt = Now.AddMinutes(-2),
        };

        var row = HomeTabJob.From(job, threadLink: null, Now);

        Assert.Equal(("j-abc12345", "running for 2 minutes"), (row.Title, row.Timing));
    }
}
