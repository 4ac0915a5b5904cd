using Specific.EndToEnd.Tests.Host;
using Specific.Sandbox.SlackStandIn;

namespace Specific.EndToEnd.Tests;

/// <summary>The requester of a job is told it ended: mentioned in the final reply, and by direct message after a long job.</summary>
public sealed class RequesterNoticeTests
{
    [Fact]
    public async Task A_job_past_the_threshold_DMs_its_starter_once_and_after_notify_off_the_next_does_not()
    {
        await using var sandbox = await JobsSandbox.StartAsync(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Threads__RequesterDmAfter"] = "00:00:02",
        });

        var first = await sandbox.SlashCommand("job run web -- sh -c 'sleep 5; echo slept'");
        var thread = await sandbox.WaitForFinalReply(first, TimeSpan.FromSeconds(40));

        Assert.StartsWith($"<@{JobsSandbox.UserId}> ✅ *Succeeded*", thread.Last(JobsSandbox.IsFinalReply).Text, StringComparison.Ordinal);
        var dm = await JobsSandbox.Eventually(
            () => DirectMessages(sandbox).FirstOrDefault(m => m.Text.Contains($"`{first.Id}`", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), () => $"The starter of {first.Id} got no direct message.\n{sandbox.Describe(first)}");
        Assert.StartsWith($"✅ Your job `{first.Id}` on `web` in `production` succeeded after ", dm.Text, StringComparison.Ordinal);
        Assert.Contains($"/archives/{first.ChannelId}/p{first.Ts.Replace(".", "", StringComparison.Ordinal)}|Open its thread>", dm.Text, StringComparison.Ordinal);
        Assert.Single(sandbox.Slack.Calls, call => call.Method == "chat.postMessage" && call.Channel == JobsSandbox.UserId);

        var off = await sandbox.EphemeralAnswerTo("notify off");
        Assert.StartsWith(":no_bell: Done", off.Text, StringComparison.Ordinal);

        var second = await sandbox.SlashCommand("job run web -- sh -c 'sleep 5; echo again'");
        var secondThread = await sandbox.WaitForFinalReply(second, TimeSpan.FromSeconds(40));
        await JobsSandbox.Eventually(
            () => sandbox.Bot.RecentOutput.Contains($"The person who started {second.Id} turned end-of-job messages off", StringComparison.Ordinal) ? "decided" : null,
            TimeSpan.FromSeconds(20), () => $"The keeper never looked at the end-of-job message of {second.Id}.\n{sandbox.Bot.RecentOutput}");

        Assert.StartsWith($"<@{JobsSandbox.UserId}> ", secondThread.Last(JobsSandbox.IsFinalReply).Text, StringComparison.Ordinal);
        Assert.DoesNotContain(DirectMessages(sandbox), m => m.Text.Contains($"`{second.Id}`", StringComparison.Ordinal));
        Assert.Single(DirectMessages(sandbox));
    }

    /// <summary>What the bot wrote in direct messages: chat.postMessage to a user id lands in the bot's DM with that person.</summary>
    private static List<StandInMessage> DirectMessages(JobsSandbox sandbox) =>
        [.. sandbox.Slack.Channels.Where(c => c.Kind == ChannelKind.DirectMessage).SelectMany(c => sandbox.Slack.ChannelMessages(c.Id))];
}
