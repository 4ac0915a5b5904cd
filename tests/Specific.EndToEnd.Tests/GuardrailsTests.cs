using k8s;
using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>The guardrails as a person meets them: the bot as its own process, the Slack stand-in and the cluster simulator over HTTP.</summary>
public sealed class GuardrailsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Refused_user_sees_why_and_whom_to_ask_and_nothing_runs()
    {
        await using var sandbox = await JobsSandbox.StartAsync(new Dictionary<string, string>
        {
            ["Guardrails__Environments__production__Run__Users__0"] = "U0ONCALL",
            ["Guardrails__Environments__production__Admins__Users__0"] = "U0ADMIN",
        });

        var answer = await sandbox.EphemeralAnswerTo("job run web echo $GREETING");

        Assert.StartsWith(":no_entry: You can't run jobs on `web` in `production`", answer.Text, StringComparison.Ordinal);
        Assert.Contains("Rule: `Guardrails:Environments:production:Run:Users`", answer.Text, StringComparison.Ordinal);
        Assert.Contains("Ask an admin of `production` for access: <@U0ADMIN>.", answer.Text, StringComparison.Ordinal);
        // Given time to misbehave, the bot records no job, posts no job message and creates no Kubernetes Job.
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        var list = await sandbox.EphemeralAnswerTo("job list");
        Assert.StartsWith("No jobs yet.", list.Text, StringComparison.Ordinal);
        Assert.Empty(sandbox.BotMessagesInChannel());
        using var kubernetes = (Kubernetes)sandbox.KubernetesClient();
        Assert.Empty((await kubernetes.BatchV1.ListJobForAllNamespacesAsync(cancellationToken: Ct)).Items);

        // The admin reads the attempt in the audit trail, kept in the bot's SQLite store; the stand-in judges the blocks.
        var audit = await sandbox.Slack.RunSlashCommandAsync("U0ADMIN", sandbox.ChannelId, "job audit web", Ct);
        Assert.True(audit.Error is null && audit.EphemeralReply is not null, $"job audit was not answered: {audit.Error} {audit.Body}");
        Assert.Contains(":no_entry: *run* refused", audit.Body, StringComparison.Ordinal);
        Assert.Contains($"<@{JobsSandbox.UserId}> in <#{sandbox.ChannelId}>", audit.Body, StringComparison.Ordinal);
        Assert.Contains("Guardrails:Environments:production:Run:Users", audit.Body, StringComparison.Ordinal);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    [Fact]
    public async Task Production_job_starts_only_after_the_service_name_is_typed_in_the_form()
    {
        await using var sandbox = await JobsSandbox.StartAsync(new Dictionary<string, string>
        {
            ["Guardrails__Environments__production__RequireConfirmation"] = "true",
        });

        var answer = await sandbox.EphemeralAnswerTo("job run web echo $GREETING");
        Assert.StartsWith(":lock: Nothing has started yet", answer.Text, StringComparison.Ordinal);
        var form = await JobsSandbox.Eventually(() => sandbox.Slack.OpenView(JobsSandbox.UserId), TimeSpan.FromSeconds(5), () => "No confirmation form opened.");
        var values = JobsSandbox.FilledIn(form);

        values["job_confirm"] = new Dictionary<string, string> { ["job_modal_confirm"] = "wbe" };
        var wrong = await sandbox.Slack.SubmitViewAsync(JobsSandbox.UserId, form.Id, values, Ct);
        Assert.Equal("Type web exactly to run this job in production.", wrong.Errors["job_confirm"]);
        Assert.Empty(sandbox.BotMessagesInChannel());

        var before = sandbox.MessagesNow();
        values["job_confirm"] = new Dictionary<string, string> { ["job_modal_confirm"] = "web" };
        var right = await sandbox.Slack.SubmitViewAsync(JobsSandbox.UserId, form.Id, values, Ct);
        Assert.True(right.Errors.Count == 0 && right.Error is null, $"The confirmed form was refused: {right.Body}");
        var job = await sandbox.WaitForNewJob(before, "confirming the form");
        await sandbox.WaitForState(job, "succeeded");
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }
}
