using Specific.EndToEnd.Tests.Host;
using Specific.Sandbox.SlackStandIn;

namespace Specific.EndToEnd.Tests;

/// <summary>
/// The bot as a separate process with Slack:AppToken set: everything a person does reaches it over the stand-in's
/// Socket Mode, and the job's thread tells the whole story while connections are refreshed and cut under it.
/// </summary>
public sealed class SocketModeTests
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_job_started_over_Socket_Mode_runs_to_the_end_through_a_refresh_and_a_dropped_connection()
    {
        await using var sandbox = await JobsSandbox.StartAsync(socketMode: true);
        var socketMode = sandbox.Slack.SocketMode;
        await socketMode.WaitForOpenConnectionsAsync(1, ConnectTimeout, Ct);
        const int lines = 12;

        var job = await sandbox.SlashCommand($"job run web for i in $(seq 1 {lines}); do echo tick-$i; sleep 0.5; done");
        await sandbox.WaitForState(job, "running");

        // Slack refreshes the connection mid-job: the bot opens the next one before letting the old one go.
        await socketMode.SendDisconnectAsync("refresh_requested", ct: Ct);
        await JobsSandbox.Eventually(() => socketMode.Connections is [{ End: not SocketModeEnd.Open }, { End: SocketModeEnd.Open }] ? "" : null,
            ConnectTimeout, () => $"No rollover: {Describe(socketMode)}\n{sandbox.Describe(job)}");
        var listed = await sandbox.EphemeralAnswerTo("job list");
        Assert.Contains(job.Id, listed.VisibleText, StringComparison.Ordinal);

        // Then the network cuts it: the bot reconnects with backoff and the person can go on.
        socketMode.DropConnections();
        await socketMode.WaitForOpenConnectionsAsync(1, ConnectTimeout, Ct);
        var logs = await sandbox.EphemeralAnswerTo($"job logs {job.Id}");
        Assert.Contains("tick-", logs.VisibleText, StringComparison.Ordinal);

        await sandbox.WaitForState(job, "succeeded", TimeSpan.FromSeconds(30));
        var thread = await sandbox.WaitForFinalReply(job, TimeSpan.FromSeconds(30));
        ThreadStory.Of(thread).AssertTellsEveryLineOnceInOrder(lines, sandbox.Describe(job));
        Assert.Single(sandbox.BotMessagesInChannel());

        var connections = socketMode.Connections;
        Assert.True(connections.Count == 3, Describe(socketMode));
        Assert.Equal(SocketModeEnd.ClosedByBot, connections[0].End);
        Assert.True(connections[1].OpenedAt <= connections[0].ClosedAt, "a gap between the refreshed connection and its successor: " + Describe(socketMode));
        Assert.Equal(SocketModeEnd.Dropped, connections[1].End);
        Assert.Equal(SocketModeEnd.Open, connections[2].End);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
        Assert.All(socketMode.Deliveries, d => Assert.NotNull(d.AckedAt));
    }

    [Fact]
    public async Task A_retried_envelope_starts_one_job_and_Cancel_arrives_over_Socket_Mode()
    {
        await using var sandbox = await JobsSandbox.StartAsync(socketMode: true);
        var socketMode = sandbox.Slack.SocketMode;
        await socketMode.WaitForOpenConnectionsAsync(1, ConnectTimeout, Ct);
        socketMode.IgnoreNextAcks(1);
        var before = sandbox.MessagesNow();

        var first = await sandbox.Slack.RunSlashCommandAsync(JobsSandbox.UserId, sandbox.ChannelId, "job run web -- sleep 60", Ct);
        Assert.Equal("operation_timeout", first.Error);
        var job = await sandbox.WaitForNewJob(before, "the retried /specific job run");
        await JobsSandbox.Eventually(() => socketMode.Deliveries is [{ RetryAttempt: 0 }, { RetryAttempt: 1, AckedAt: not null }] ? "" : null,
            TimeSpan.FromSeconds(10), () => Describe(socketMode));
        await sandbox.WaitForState(job, "running");

        await sandbox.ClickCancel(job);
        await sandbox.WaitForState(job, "cancelled");

        Assert.Single(sandbox.BotMessagesInChannel());
        var deliveries = socketMode.Deliveries;
        Assert.Equal(deliveries[0].EnvelopeId, deliveries[1].EnvelopeId);
        Assert.Equal(deliveries[0].AckPayload, deliveries[1].AckPayload);
        Assert.Equal("interactive", deliveries[^1].Type);
    }

    private static string Describe(SocketModeServer socketMode) =>
        "connections: " + string.Join("; ", socketMode.Connections.Select(c => $"#{c.Id} {c.End} opened {c.OpenedAt:HH:mm:ss.fff} closed {c.ClosedAt:HH:mm:ss.fff} disconnects [{string.Join(",", c.DisconnectsSent)}]"))
        + "\ndeliveries: " + string.Join("; ", socketMode.Deliveries.Select(d => $"{d.Type} {d.EnvelopeId} try {d.RetryAttempt} on #{d.ConnectionId} acked {d.AckedAt:HH:mm:ss.fff} ignored {d.AckIgnored}"));
}
