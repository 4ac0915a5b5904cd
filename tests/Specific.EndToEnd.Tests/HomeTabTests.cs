using Specific.EndToEnd.Tests.Host;
using Specific.Sandbox.SlackStandIn;

namespace Specific.EndToEnd.Tests;

/// <summary>The App Home tab: the bot as its own process against the stand-ins, over HTTP and over Socket Mode.</summary>
public sealed class HomeTabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Home_lists_the_viewers_running_job_shows_it_finished_once_it_ends_and_its_button_opens_the_run_form(bool socketMode)
    {
        await using var sandbox = await JobsSandbox.StartAsync(socketMode: socketMode);
        var job = await sandbox.SlashCommand("job run web sleep 30");
        await sandbox.WaitForState(job, "running");

        var opened = await sandbox.Slack.OpenHomeAsync(JobsSandbox.UserId, Ct);
        Assert.True(opened is { Error: null, MissedDeadline: false }, $"app_home_opened was not acknowledged: {opened?.StatusCode} {opened?.Error}\n{sandbox.Bot.RecentOutput}");
        var running = await HomeShowing(sandbox, $"home_unfinished_{job.Id}", "Running", "the running job on the Home tab");
        Assert.Contains("sleep 30", running.View.GetRawText(), StringComparison.Ordinal);
        Assert.Contains($"/archives/{job.ChannelId}/p", running.View.GetRawText(), StringComparison.Ordinal);

        await sandbox.ClickCancel(job);
        await sandbox.WaitForState(job, "cancelled");
        var ended = await HomeShowing(sandbox, $"home_ended_{job.Id}", "Cancelled", "the job shown as ended on the Home tab");
        Assert.DoesNotContain($"home_unfinished_{job.Id}", ended.View.GetRawText(), StringComparison.Ordinal);
        Assert.True(ended.Publishes > running.Publishes);

        var clicked = await sandbox.Slack.ClickHomeButtonAsync(JobsSandbox.UserId, "home_run_a_job", Ct);
        Assert.True(clicked.Error is null && !clicked.MissedDeadline, $"The Home button was not acknowledged: {clicked.StatusCode} {clicked.Error}");
        var form = await JobsSandbox.Eventually(() => sandbox.Slack.OpenView(JobsSandbox.UserId), TimeSpan.FromSeconds(5), () => $"No form opened.\n{sandbox.Bot.RecentOutput}");
        Assert.Contains(form.View.GetProperty("blocks").EnumerateArray(), b => b.TryGetProperty("block_id", out var id) && id.GetString() == "job_channel");
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    private static Task<StandInHomeView> HomeShowing(JobsSandbox sandbox, string blockId, string state, string what) =>
        JobsSandbox.Eventually(
            () => sandbox.Slack.HomeOf(JobsSandbox.UserId) is { } home && home.View.GetRawText().Contains(blockId, StringComparison.Ordinal) &&
                  home.View.GetRawText().Contains(state, StringComparison.Ordinal)
                ? home
                : null,
            TimeSpan.FromSeconds(15),
            () => $"Waited for {what}; the tab shows {sandbox.Slack.HomeOf(JobsSandbox.UserId)?.View.GetRawText() ?? "nothing"}\n{sandbox.Bot.RecentOutput}");
}
