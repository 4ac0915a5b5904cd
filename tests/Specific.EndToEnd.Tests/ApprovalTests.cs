using Specific.EndToEnd.Tests.Host;
using Specific.Sandbox.SlackStandIn;

namespace Specific.EndToEnd.Tests;

/// <summary>
/// Four-eyes approval as people meet it: the bot and its worker as their own processes, the Slack stand-in's people
/// clicking the request's buttons, the cluster simulator running the job. `payments` in production needs a second
/// person: alice approves what the sandbox user asks for.
/// </summary>
public sealed class ApprovalTests
{
    private const string Alice = "U0ALICE";
    private const string Dave = "U0DAVE";
    private const string Rule = "Guardrails:Environments:production:Services:payments:Approval";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Policy(string expiry = "00:30:00") => new()
    {
        ["Guardrails__Environments__production__Admins__Users__0"] = JobsSandbox.UserId,
        [$"{Rule.Replace(":", "__", StringComparison.Ordinal)}__Approvers__Users__0"] = Alice,
        [$"{Rule.Replace(":", "__", StringComparison.Ordinal)}__Expiry"] = expiry,
        ["Approvals__SweepInterval"] = "00:00:01",
    };

    [Fact]
    public async Task Alice_approves_after_the_requester_and_a_stranger_are_refused_and_the_job_runs_with_her_recorded_as_approver()
    {
        await using var sandbox = await JobsSandbox.StartAsync(Policy());
        var request = await RequestAsync(sandbox, "job run payments -- echo approved-run");
        var told = await EphemeralAsync(sandbox, JobsSandbox.UserId, "waits for approval");
        Assert.Contains($"waits for approval by <@{Alice}>, in this channel", told.Text, StringComparison.Ordinal);
        Assert.Empty(JobMessages(sandbox));

        await sandbox.Slack.ClickButtonAsync(JobsSandbox.UserId, sandbox.ChannelId, request.Ts, "approval_approve", Ct);
        var self = await EphemeralAsync(sandbox, JobsSandbox.UserId, "You can't approve");
        Assert.Contains("four-eyes approval needs a second person", self.Text, StringComparison.Ordinal);
        await sandbox.Slack.ClickButtonAsync(Dave, sandbox.ChannelId, request.Ts, "approval_approve", Ct);
        var stranger = await EphemeralAsync(sandbox, Dave, "You can't approve");
        Assert.Contains($"only <@{Alice}> may approve or deny it.", stranger.Text, StringComparison.Ordinal);
        Assert.Contains($"Rule: `{Rule}:Approvers`", stranger.Text, StringComparison.Ordinal);
        Assert.Empty(JobMessages(sandbox));

        var before = sandbox.MessagesNow();
        await sandbox.Slack.ClickButtonAsync(Alice, sandbox.ChannelId, request.Ts, "approval_approve", Ct);
        var job = await sandbox.WaitForNewJob(before, "alice's approval");
        var message = await sandbox.WaitForState(job, "succeeded");

        Assert.Contains($"*Approved by*\n<@{Alice}>", message.VisibleText, StringComparison.Ordinal);
        var stored = await sandbox.StoredJobAsync(job);
        Assert.Equal(Alice, stored?.ApprovedBy);
        Assert.Equal(JobsSandbox.UserId, stored?.Origin.UserId);
        var replies = await sandbox.WaitForFinalReply(job);
        Assert.Contains(replies, r => r.VisibleText.Contains("approved-run", StringComparison.Ordinal));
        var decided = await WaitForRequestText(sandbox, request, $"Approved by <@{Alice}>");
        Assert.Contains($"job `{job.Id}` starts", decided.VisibleText, StringComparison.Ordinal);
        Assert.Contains($"Approved by <@{Alice}>", (await EphemeralAsync(sandbox, JobsSandbox.UserId, "Approved by")).Text, StringComparison.Ordinal);
        var audit = await sandbox.Slack.RunSlashCommandAsync(JobsSandbox.UserId, sandbox.ChannelId, "job audit payments --env production", Ct);
        Assert.Contains(":white_check_mark: *approve* allowed", audit.Body, StringComparison.Ordinal);
        Assert.Contains(":no_entry: *approve* refused", audit.Body, StringComparison.Ordinal);
        Assert.Contains("*run* approval requested", audit.Body, StringComparison.Ordinal);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    [Fact]
    public async Task A_request_survives_a_restart_of_the_bot_and_is_approved_after_it_and_a_rerun_asks_again()
    {
        await using var sandbox = await JobsSandbox.StartAsync(Policy());
        var request = await RequestAsync(sandbox, "job run payments -- echo after-restart");
        // Killed once the requester has read that it waits: the request is stored by then (its message is posted first).
        await EphemeralAsync(sandbox, JobsSandbox.UserId, "waits for approval");

        await sandbox.KillBot();
        await sandbox.RestartBot();

        var before = sandbox.MessagesNow();
        await sandbox.Slack.ClickButtonAsync(Alice, sandbox.ChannelId, request.Ts, "approval_approve", Ct);
        var job = await sandbox.WaitForNewJob(before, "alice's approval after the restart");
        var message = await sandbox.WaitForState(job, "succeeded");
        Assert.Contains($"*Approved by*\n<@{Alice}>", message.VisibleText, StringComparison.Ordinal);

        // Re-run: the form opens as for any run, and its submission asks for approval anew; no job starts.
        var requestsBefore = Requests(sandbox).Count;
        var view = await sandbox.ClickRerun(job);
        var submitted = await sandbox.Slack.SubmitViewAsync(JobsSandbox.UserId, view.Id, JobsSandbox.FilledIn(view), Ct);
        Assert.True(submitted.Error is null && submitted.Errors.Count == 0, $"The re-run form was refused: {submitted.Error} {string.Join("; ", submitted.Errors)}");
        await JobsSandbox.Eventually(() => Requests(sandbox).Count > requestsBefore ? "asked" : null, TimeSpan.FromSeconds(10),
            () => $"The re-run posted no new approval request.\n{sandbox.Bot.RecentOutput}");
        Assert.Single(JobMessages(sandbox));
    }

    [Fact]
    public async Task Expiry_withdrawal_and_denial_are_each_told_to_the_requester_and_nothing_starts()
    {
        await using var sandbox = await JobsSandbox.StartAsync(Policy(expiry: "00:00:04"));

        var expiring = await RequestAsync(sandbox, "job run payments -- echo never");
        var expired = await WaitForRequestText(sandbox, expiring, "*Expired*", TimeSpan.FromSeconds(20));
        Assert.DoesNotContain("approval_approve", expired.Blocks?.GetRawText() ?? "", StringComparison.Ordinal);
        Assert.Contains("nobody decided within 4 seconds", (await EphemeralAsync(sandbox, JobsSandbox.UserId, "*Expired*")).Text, StringComparison.Ordinal);

        var withdrawn = await RequestAsync(sandbox, "job run payments -- echo withdrawn");
        await sandbox.Slack.ClickButtonAsync(JobsSandbox.UserId, sandbox.ChannelId, withdrawn.Ts, "approval_withdraw", Ct);
        Assert.Contains($"Withdrawn by <@{JobsSandbox.UserId}>", (await EphemeralAsync(sandbox, JobsSandbox.UserId, "Withdrawn by")).Text, StringComparison.Ordinal);

        var denied = await RequestAsync(sandbox, "job run payments -- echo denied");
        await sandbox.Slack.ClickButtonAsync(Alice, sandbox.ChannelId, denied.Ts, "approval_deny", Ct);
        Assert.Contains($"Denied by <@{Alice}>", (await EphemeralAsync(sandbox, JobsSandbox.UserId, "Denied by")).Text, StringComparison.Ordinal);
        await WaitForRequestText(sandbox, denied, $"Denied by <@{Alice}>");

        Assert.Empty(JobMessages(sandbox));
    }

    /// <summary>Types the run and returns the approval request the bot then posts in the channel.</summary>
    private static async Task<StandInMessage> RequestAsync(JobsSandbox sandbox, string text)
    {
        var before = Requests(sandbox).Select(m => m.Ts).ToHashSet(StringComparer.Ordinal);
        var result = await sandbox.Slack.RunSlashCommandAsync(JobsSandbox.UserId, sandbox.ChannelId, text, Ct);
        Assert.True(result.Error is null && !result.MissedDeadline, $"/specific {text} was not acknowledged: {result.StatusCode} {result.Error} {result.Body}");
        return await JobsSandbox.Eventually(() => Requests(sandbox).FirstOrDefault(m => !before.Contains(m.Ts)), TimeSpan.FromSeconds(10),
            () => $"No approval request was posted after /specific {text}.\n{sandbox.Bot.RecentOutput}");
    }

    private static List<StandInMessage> Requests(JobsSandbox sandbox) =>
        sandbox.BotMessagesInChannel().Where(m => m.VisibleText.Contains("asks to run a job", StringComparison.Ordinal)).ToList();

    private static List<StandInMessage> JobMessages(JobsSandbox sandbox) =>
        sandbox.BotMessagesInChannel().Where(m => JobsSandbox.JobIdIn(m) is not null).ToList();

    private static Task<StandInMessage> WaitForRequestText(JobsSandbox sandbox, StandInMessage request, string text, TimeSpan? within = null) =>
        JobsSandbox.Eventually(
            () => sandbox.Slack.ChannelMessages(sandbox.ChannelId).FirstOrDefault(m => m.Ts == request.Ts && m.VisibleText.Contains(text, StringComparison.Ordinal)),
            within ?? TimeSpan.FromSeconds(10),
            () => $"The request {request.Ts} never showed '{text}': {sandbox.Slack.ChannelMessages(sandbox.ChannelId).FirstOrDefault(m => m.Ts == request.Ts)?.VisibleText}\n{sandbox.Bot.RecentOutput}");

    private static Task<StandInEphemeral> EphemeralAsync(JobsSandbox sandbox, string userId, string containing) =>
        JobsSandbox.Eventually(
            () => sandbox.Slack.Ephemerals(userId).LastOrDefault(e => e.Text.Contains(containing, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            () => $"{userId} was never told privately '{containing}'; told: {string.Join(" | ", sandbox.Slack.Ephemerals(userId).Select(e => e.Text))}");
}
