using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>The global shortcut "Run a job": the bot as its own process against the stand-ins.</summary>
public sealed class ShortcutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_shortcut_opens_the_run_form_and_the_job_runs_in_the_channel_picked_there()
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var used = await sandbox.Slack.UseGlobalShortcutAsync(JobsSandbox.UserId, JobsSandbox.RunAJobShortcut, Ct);

        Assert.True(used.Error is null && !used.MissedDeadline, $"Not acknowledged: {used.StatusCode} {used.Error} {used.Body}");
        var form = await JobsSandbox.Eventually(() => sandbox.Slack.OpenView(JobsSandbox.UserId), TimeSpan.FromSeconds(5), () => $"No form opened.\n{sandbox.Bot.RecentOutput}");
        var values = JobsSandbox.FilledIn(form);
        Assert.Contains(form.View.GetProperty("blocks").EnumerateArray(), b => b.TryGetProperty("block_id", out var id) && id.GetString() == "job_channel");
        values["job_channel"] = new Dictionary<string, string> { ["job_modal_channel"] = sandbox.ChannelId };
        values["job_service_production"] = new Dictionary<string, string> { ["job_modal_service"] = "web" };
        values["job_command"] = new Dictionary<string, string> { ["job_modal_command"] = "echo from-the-shortcut" };

        var before = sandbox.MessagesNow();
        var submitted = await sandbox.Slack.SubmitViewAsync(JobsSandbox.UserId, form.Id, values, Ct);

        Assert.True(submitted.Errors.Count == 0 && submitted.Error is null, $"The form was refused: {submitted.Body}");
        var job = await sandbox.WaitForNewJob(before, "submitting the shortcut's form");
        await sandbox.WaitForState(job, "succeeded");
        var final = await sandbox.WaitForFinalReply(job);
        Assert.Contains(final, reply => reply.VisibleText.Contains("from-the-shortcut", StringComparison.Ordinal));
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }
}
