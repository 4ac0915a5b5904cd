using k8s;
using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>
/// Saved tasks end to end: the bot as its own process against the stand-ins, with web in production running saved
/// tasks only (Guardrails:Environments:production:Services:web:SavedTasksOnly).
/// </summary>
public sealed class SavedTaskTests
{
    private static readonly Dictionary<string, string> Tasks = new(StringComparer.Ordinal)
    {
        ["Tasks__web__cache-clear__Command"] = "echo purging; echo cache-cleared-$GREETING",
        ["Tasks__web__cache-clear__Description"] = "Purge the page cache",
        ["Tasks__web__report__Command"] = "echo report-ready",
        ["Tasks__web__report__Timeout"] = "00:02:00",
        ["Guardrails__Environments__production__Services__web__SavedTasksOnly"] = "true",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_saved_task_runs_its_command_to_success_and_its_message_and_the_job_list_name_it()
    {
        await using var sandbox = await JobsSandbox.StartAsync(Tasks, engine: SandboxEngine.InProcess);

        var job = await sandbox.SlashCommand("task run web cache-clear");

        var message = await sandbox.WaitForState(job, "succeeded");
        Assert.Contains("Saved task", message.VisibleText, StringComparison.Ordinal);
        Assert.Contains("cache-clear", message.VisibleText, StringComparison.Ordinal);
        var final = await sandbox.WaitForFinalReply(job);
        Assert.Contains(final, reply => reply.VisibleText.Contains("cache-cleared-hello-from-web", StringComparison.Ordinal));
        var list = await sandbox.EphemeralAnswerTo("job list");
        Assert.Contains($"`{job.Id}`", list.VisibleText, StringComparison.Ordinal);
        Assert.Contains("task `cache-clear`", list.VisibleText, StringComparison.Ordinal);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    [Fact]
    public async Task A_free_command_where_only_saved_tasks_run_is_refused_with_the_tasks_and_nothing_is_recorded()
    {
        await using var sandbox = await JobsSandbox.StartAsync(Tasks, engine: SandboxEngine.InProcess);

        var refusal = await sandbox.EphemeralAnswerTo("job run web echo hi");

        Assert.Contains("`web` in `production` runs saved tasks only, and a free command is refused.", refusal.VisibleText, StringComparison.Ordinal);
        Assert.Contains("• `cache-clear`: Purge the page cache", refusal.VisibleText, StringComparison.Ordinal);
        Assert.Contains("• `report`", refusal.VisibleText, StringComparison.Ordinal);
        Assert.Contains("/specific task run web cache-clear", refusal.VisibleText, StringComparison.Ordinal);
        var list = await sandbox.EphemeralAnswerTo("job list");
        Assert.StartsWith("No jobs in this channel yet.", list.VisibleText, StringComparison.Ordinal);
        Assert.Empty(sandbox.BotMessagesInChannel());
        using var kubernetes = sandbox.KubernetesClient();
        Assert.Empty((await kubernetes.BatchV1.ListNamespacedJobAsync("production", cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task The_forms_task_menu_runs_the_task_picked_there()
    {
        await using var sandbox = await JobsSandbox.StartAsync(Tasks, engine: SandboxEngine.InProcess);

        var typed = await sandbox.Slack.RunSlashCommandAsync(JobsSandbox.UserId, sandbox.ChannelId, "job run", Ct);
        Assert.True(typed.Error is null && !typed.MissedDeadline, $"Not acknowledged: {typed.StatusCode} {typed.Error} {typed.Body}");
        var form = await JobsSandbox.Eventually(() => sandbox.Slack.OpenView(JobsSandbox.UserId), TimeSpan.FromSeconds(5), () => $"No form opened.\n{sandbox.Bot.RecentOutput}");
        var values = JobsSandbox.FilledIn(form);
        values["job_service_production"] = new Dictionary<string, string> { ["job_modal_service"] = "web" };
        values["job_task_production"] = new Dictionary<string, string> { ["job_modal_task"] = "web/report" };

        var before = sandbox.MessagesNow();
        var submitted = await sandbox.Slack.SubmitViewAsync(JobsSandbox.UserId, form.Id, values, Ct);

        Assert.True(submitted.Errors.Count == 0 && submitted.Error is null, $"The form was refused: {submitted.Body}");
        var job = await sandbox.WaitForNewJob(before, "submitting the form with a task picked");
        var message = await sandbox.WaitForState(job, "succeeded");
        Assert.Contains("report", message.VisibleText, StringComparison.Ordinal);
        var final = await sandbox.WaitForFinalReply(job);
        Assert.Contains(final, reply => reply.VisibleText.Contains("report-ready", StringComparison.Ordinal));
    }
}
