using System.Collections.Concurrent;
using System.Diagnostics;
using Specific.Sandbox.SlackStandIn;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>Slack's official Socket Mode client (@slack/socket-mode from npm) against the stand-in.</summary>
public sealed class NodeSocketModeClientTests
{
    private const string AppToken = "xapp-1-node-socket-mode";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Official_node_client_connects_acknowledges_with_a_reply_and_follows_a_refresh()
    {
        if (!await NodeWebApiClientTests.CanRunAsync("node", "--version"))
            Assert.Skip("node is not installed on this machine");
        await NodeWebApiClientTests.EnsurePackagesAsync();
        await using var host = await StandInHost.StartAsync(o =>
        {
            o.AppToken = AppToken;
            o.SocketModeRefreshGrace = TimeSpan.FromSeconds(5);
        });
        var lines = new ConcurrentQueue<string>();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = NodeWebApiClientTests.NodeDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "socket-mode.mjs", host.Slack.ApiBaseUrl.ToString(), AppToken })
            start.ArgumentList.Add(argument);
        using var node = Process.Start(start)!;
        node.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        node.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue("stderr: " + e.Data); };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        try
        {
            await host.Slack.SocketMode.WaitForOpenConnectionsAsync(1, TimeSpan.FromSeconds(30), Ct);
            var first = await host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "job list", Ct);
            Assert.True(first.Error is null, $"{first.Error}\n{string.Join('\n', lines)}");
            Assert.Equal("node saw: job list", first.EphemeralReply?.Text);

            await host.Slack.SocketMode.SendDisconnectAsync("refresh_requested", ct: Ct);
            var deadline = Stopwatch.StartNew();
            while (!(host.Slack.SocketMode.Connections.Count >= 2 && host.Slack.SocketMode.OpenConnections >= 1))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "The official client did not reconnect after refresh_requested.\n" + string.Join('\n', lines));
                await Task.Delay(50, Ct);
            }

            var second = await host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "after the refresh", Ct);
            Assert.Equal("node saw: after the refresh", second.EphemeralReply?.Text);
            Assert.Empty(host.Slack.DeadlineMisses);
        }
        finally
        {
            node.StandardInput.Close();
            using var exit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            exit.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await node.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                node.Kill(entireProcessTree: true);
            }
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', lines));
        }
    }
}
