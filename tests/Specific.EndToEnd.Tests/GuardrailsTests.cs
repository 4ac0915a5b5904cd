using k8s;
using Specific.EndToEnd.Tests.Host;
using Specific.Sandbox.SlackStandIn;

namespace Specific.EndToEnd.Tests;

/// <summary>The guardrails as a person meets them: the bot as its own process, the Slack stand-in and the cluster simulator over HTTP.</summary>
public sealed class GuardrailsTests
{
    private const string Ops = "C0OPS";
    private const string General = "C0GENERAL";
    private const string Alice = "U0ALICE";

    /// <summary>
    /// The sandbox page's people: the sandbox user runs and administers production; alice may run staging jobs, from #ops only.
    /// </summary>
    private static readonly Dictionary<string, string> NeedToKnowPolicy = new()
    {
        ["Guardrails__Environments__production__Run__Users__0"] = JobsSandbox.UserId,
        ["Guardrails__Environments__production__Admins__Users__0"] = JobsSandbox.UserId,
        ["Guardrails__Environments__staging__Run__Users__0"] = Alice,
        ["Guardrails__Environments__staging__Run__Channels__0"] = Ops,
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Alice_in_general_is_refused_the_log_of_a_production_job_of_ops_and_the_starter_gets_hers_privately()
    {
        await using var sandbox = await JobsSandbox.StartAsync(NeedToKnowPolicy, channelId: Ops);
        var production = await sandbox.SlashCommand("job run web -- echo purging the cache of $GREETING");
        await sandbox.WaitForState(production, "succeeded");
        await sandbox.WaitForFinalReply(production);

        foreach (var typed in new[] { $"job logs {production.Id}", $"job logs {production.Id} --grep purging", $"job logs {production.Id} --file" })
        {
            var refused = await sandbox.EphemeralAnswerTo(typed, Alice, General);
            Assert.StartsWith($":no_entry: You can't read the log of job `{production.Id}` here", refused.Text, StringComparison.Ordinal);
            Assert.Contains($"Ask in <#{Ops}>, where the job ran, or ask an admin of `production`: <@{JobsSandbox.UserId}>.", refused.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("purging", refused.VisibleText, StringComparison.Ordinal);
            Assert.DoesNotContain("hello-from-web", refused.VisibleText, StringComparison.Ordinal);
        }

        // Alice started a staging job in #ops: from #general she reads it, and its whole log goes into its thread, not into #general.
        var hers = await sandbox.SlashCommand("job run worker --env staging -- echo alice was here", Alice);
        await sandbox.WaitForState(hers, "succeeded");
        await sandbox.WaitForFinalReply(hers);
        var tail = await sandbox.EphemeralAnswerTo($"job logs {hers.Id}", Alice, General);
        Assert.Contains("alice was here", tail.VisibleText, StringComparison.Ordinal);
        var filesBefore = FilesIn(sandbox, hers).Count;
        var asked = await sandbox.EphemeralAnswerTo($"job logs {hers.Id} --file", Alice, General);
        Assert.Contains($"into its thread in <#{Ops}>", asked.Text, StringComparison.Ordinal);
        var link = await JobsSandbox.Eventually(
            () => sandbox.Slack.Ephemerals(Alice).LastOrDefault(e => e.ChannelId == General && e.Text.Contains("is now a file", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), () => $"Alice was not told where the file went.\n{sandbox.Describe(hers)}");
        Assert.Contains($"in its thread in <#{Ops}>: <http", link.Text, StringComparison.Ordinal);
        var file = await JobsSandbox.Eventually(() => FilesIn(sandbox, hers).Skip(filesBefore).FirstOrDefault(), TimeSpan.FromSeconds(10),
            () => $"No file in the job's thread.\n{sandbox.Describe(hers)}");
        Assert.Contains("alice was here", System.Text.Encoding.UTF8.GetString(file.Content.Span), StringComparison.Ordinal);
        Assert.Empty(sandbox.Slack.ChannelMessages(General));

        // The admin sees each read in the audit trail, refused and allowed.
        var audit = await sandbox.Slack.RunSlashCommandAsync(JobsSandbox.UserId, Ops, "job audit --env production", Ct);
        Assert.Contains(":no_entry: *logs* refused", audit.Body, StringComparison.Ordinal);
        Assert.Contains($"<@{Alice}> in <#{General}>", audit.Body, StringComparison.Ordinal);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    [Fact]
    public async Task Job_list_in_general_does_not_show_the_jobs_of_ops_nor_anywhere_a_secret_value_typed_into_a_command()
    {
        await using var sandbox = await JobsSandbox.StartAsync(NeedToKnowPolicy, channelId: Ops);
        var job = await sandbox.SlashCommand("job run payments -- echo key=pk_live_51Sandbox7hQ2mX9vR4");
        await sandbox.WaitForState(job, "succeeded");

        var inOps = await sandbox.EphemeralAnswerTo("job list");
        Assert.Contains($"`{job.Id}`", inOps.Text, StringComparison.Ordinal);
        Assert.Contains("echo key=[redacted]", inOps.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("pk_live_51Sandbox7hQ2mX9vR4", inOps.Text, StringComparison.Ordinal);

        var inGeneral = await sandbox.EphemeralAnswerTo("job list", Alice, General);
        Assert.StartsWith("No jobs in this channel yet.", inGeneral.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(job.Id, inGeneral.Text, StringComparison.Ordinal);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    private static List<StandInFile> FilesIn(JobsSandbox sandbox, JobHandle job) =>
        sandbox.ThreadOf(job).SelectMany(reply => reply.Files).ToList();

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
        Assert.StartsWith("No jobs in this channel yet.", list.Text, StringComparison.Ordinal);
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
