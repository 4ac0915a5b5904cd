using System.Net.Http.Json;
using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>Runs typed where the bot is not a member, as Slack has it: the bot as its own process against the stand-ins.</summary>
public sealed class ChannelMembershipTests
{
    /// <summary>The example workspace's private channel, created without the bot.</summary>
    private const string Vault = "C0VAULT";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_in_a_private_channel_without_the_bot_is_answered_with_how_to_invite_it_and_runs_once_it_is_invited()
    {
        await using var sandbox = await JobsSandbox.StartAsync(channelId: Vault);

        var refused = await sandbox.EphemeralAnswerTo("job run web echo hi");

        Assert.StartsWith(":lock: ", refused.Text, StringComparison.Ordinal);
        Assert.Contains("nothing was started", refused.Text, StringComparison.Ordinal);
        Assert.Contains("`/invite @specific`", refused.Text, StringComparison.Ordinal);
        Assert.Equal("slash_command_reply", refused.Source);
        var list = await sandbox.EphemeralAnswerTo("job list");
        Assert.StartsWith("No jobs", list.Text, StringComparison.Ordinal);
        Assert.Empty(sandbox.Slack.ChannelMessages(Vault));
        Assert.DoesNotContain(sandbox.Slack.Calls, call => call.Method == "chat.postMessage");

        // /invite @specific typed on the page.
        using (var http = new HttpClient())
        {
            using var invited = await http.PostAsJsonAsync(new Uri(sandbox.Slack.BaseUrl, "sandbox/invite"), new { channel = Vault }, Ct);
            Assert.True(invited.IsSuccessStatusCode, await invited.Content.ReadAsStringAsync(Ct));
        }

        var job = await sandbox.SlashCommand("job run web echo hi");
        await sandbox.WaitForState(job, "succeeded");
        var final = await sandbox.WaitForFinalReply(job);
        Assert.Contains(final, reply => reply.VisibleText.Contains("hi", StringComparison.Ordinal));
        Assert.Equal(Vault, job.ChannelId);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    [Fact]
    public async Task A_run_in_a_public_channel_without_the_bot_makes_the_bot_join_it_and_the_job_runs_there()
    {
        await using var sandbox = await JobsSandbox.StartAsync();
        var lobby = sandbox.Slack.CreateChannel("lobby", isPrivate: false, botMember: false);

        var result = await sandbox.Slack.RunSlashCommandAsync(JobsSandbox.UserId, lobby.Id, "job run web echo joined", Ct);

        Assert.True(result.Error is null && !result.MissedDeadline, $"Not acknowledged: {result.StatusCode} {result.Error} {result.Body}");
        Assert.DoesNotContain("invite", result.Body, StringComparison.OrdinalIgnoreCase);
        Assert.True(sandbox.Slack.Channel(lobby.Id).BotMember, "The bot did not join the public channel the run was typed in.");
        Assert.Contains(sandbox.Slack.Calls, call => call.Method == "conversations.join" && call.Ok && call.Channel == lobby.Id);
        var message = await JobsSandbox.Eventually(
            () => sandbox.Slack.ChannelMessages(lobby.Id).FirstOrDefault(m => m.BotId is not null && JobsSandbox.JobIdIn(m) is not null),
            TimeSpan.FromSeconds(10), () => $"No job message in #lobby.\n{sandbox.Bot.RecentOutput}");
        var job = new JobHandle(lobby.Id, message.Ts, JobsSandbox.JobIdIn(message)!);
        await sandbox.WaitForState(job, "succeeded");
    }

    [Fact]
    public async Task A_bot_removed_mid_job_tells_the_requester_privately_once_and_the_job_still_ends()
    {
        await using var sandbox = await JobsSandbox.StartAsync();
        var job = await sandbox.SlashCommand("job run web -- sh -c 'for i in $(seq 1 8); do echo tick $i; sleep 1; done'");
        await sandbox.WaitForState(job, "running");

        sandbox.Slack.RemoveBot(job.ChannelId);

        var told = await JobsSandbox.Eventually(
            () => sandbox.Slack.Ephemerals(JobsSandbox.UserId).FirstOrDefault(e => e.Text.Contains("can no longer post", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), () => $"The requester was not told that the thread stopped.\n{sandbox.Describe(job)}");
        Assert.Equal("response_url", told.Source);
        Assert.Contains($"`/specific job logs {job.Id}`", told.Text, StringComparison.Ordinal);
        var refusedSoFar = RefusedIn(sandbox, job.ChannelId);
        Assert.InRange(refusedSoFar, 1, 2);

        // The job runs on without its thread; once it has ended, the bot has not tried the channel again.
        await JobsSandbox.Eventually(
            async () =>
            {
                var list = await sandbox.EphemeralAnswerTo("job list");
                return list.Text.Contains($"`{job.Id}`", StringComparison.Ordinal) && list.Text.Contains("succeeded", StringComparison.Ordinal) ? list : null;
            },
            TimeSpan.FromSeconds(30), () => $"Job {job.Id} did not end.\n{sandbox.Bot.RecentOutput}");
        Assert.Equal(refusedSoFar, RefusedIn(sandbox, job.ChannelId));
        Assert.Single(sandbox.Slack.Ephemerals(JobsSandbox.UserId), e => e.Text.Contains("can no longer post", StringComparison.Ordinal));
    }

    private static int RefusedIn(JobsSandbox sandbox, string channelId) =>
        sandbox.Slack.Calls.Count(call => call.Channel == channelId && call.Error is "not_in_channel" or "channel_not_found");
}
