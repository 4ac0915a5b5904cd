using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Specific.Sandbox.SlackStandIn;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>
/// The stand-in's Socket Mode as a plain WebSocket client sees it (System.Net.WebSockets, none of the bot's code):
/// Slack's token rules for apps.connections.open, hello, envelopes, acknowledgements, retries, disconnects and drops.
/// </summary>
public sealed class SocketModeStandInTests
{
    private const string AppToken = "xapp-1-standin-socket-test";
    private const string User = "U0SANDBOX";
    private const string Channel = "C0SANDBOX";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<StandInHost> StartAsync(Action<SlackStandInOptions>? configure = null) =>
        StandInHost.StartAsync(o =>
        {
            o.AppToken = AppToken;
            o.AckDeadline = TimeSpan.FromMilliseconds(800);
            o.SocketModeRetryDelays = [TimeSpan.Zero];
            configure?.Invoke(o);
        });

    [Theory]
    [InlineData(null, "not_authed")]
    [InlineData(StandInHost.Token, "not_allowed_token_type")]
    [InlineData("xapp-1-someone-else", "invalid_auth")]
    public async Task Connections_open_takes_only_the_apps_own_app_level_token(string? token, string error)
    {
        await using var host = await StartAsync();

        var answer = await host.CallFormAsync("apps.connections.open", new Dictionary<string, string>(), token);

        Assert.False(answer.Ok);
        Assert.Equal(error, answer.Error);
    }

    [Fact]
    public async Task Connections_open_gives_a_single_use_websocket_url_on_the_stand_in()
    {
        await using var host = await StartAsync();
        var url = await OpenUrlAsync(host);

        Assert.Equal("ws", url.Scheme);
        Assert.Equal(host.Slack.BaseUrl.Authority, url.Authority);
        using var first = await ConnectAsync(url);
        using var second = new ClientWebSocket();
        await Assert.ThrowsAnyAsync<WebSocketException>(() => second.ConnectAsync(url, Ct));
    }

    [Fact]
    public async Task Hello_comes_first_then_a_slash_command_as_an_envelope_whose_ack_payload_the_person_sees()
    {
        await using var host = await StartAsync();
        using var socket = await ConnectAsync(await OpenUrlAsync(host));

        var hello = await ReceiveAsync(socket);
        Assert.Equal("hello", hello["type"]!.GetValue<string>());
        Assert.Equal(1, hello["num_connections"]!.GetValue<int>());
        Assert.Equal("A0SANDBOX", hello["connection_info"]!["app_id"]!.GetValue<string>());
        Assert.True(hello["debug_info"]!["approximate_connection_time"]!.GetValue<int>() > 0);

        var command = host.Slack.RunSlashCommandAsync(User, Channel, "job list", Ct);
        var envelope = await ReceiveAsync(socket);
        Assert.Equal("slash_commands", envelope["type"]!.GetValue<string>());
        Assert.True(envelope["accepts_response_payload"]!.GetValue<bool>());
        Assert.Equal(0, envelope["retry_attempt"]!.GetValue<int>());
        var payload = envelope["payload"]!;
        Assert.Equal("/specific", payload["command"]!.GetValue<string>());
        Assert.Equal("job list", payload["text"]!.GetValue<string>());
        Assert.Equal(User, payload["user_id"]!.GetValue<string>());
        Assert.NotNull(payload["trigger_id"]);
        Assert.NotNull(payload["response_url"]);

        await SendAsync(socket, new JsonObject
        {
            ["envelope_id"] = envelope["envelope_id"]!.GetValue<string>(),
            ["payload"] = new JsonObject { ["response_type"] = "ephemeral", ["text"] = "No jobs yet." },
        });
        var result = await command;

        Assert.Null(result.Error);
        Assert.Equal("No jobs yet.", result.EphemeralReply?.Text);
        Assert.Empty(host.Slack.DeadlineMisses);
    }

    [Fact]
    public async Task An_envelope_left_unacknowledged_times_out_for_the_person_and_is_retried_with_the_same_id()
    {
        await using var host = await StartAsync();
        using var socket = await ConnectAsync(await OpenUrlAsync(host));
        await ReceiveAsync(socket);

        var result = await host.Slack.RunSlashCommandAsync(User, Channel, "help", Ct);
        var original = await ReceiveAsync(socket);
        var retry = await ReceiveAsync(socket);

        Assert.Equal("operation_timeout", result.Error);
        Assert.True(result.MissedDeadline);
        Assert.Single(host.Slack.DeadlineMisses);
        Assert.Equal(original["envelope_id"]!.GetValue<string>(), retry["envelope_id"]!.GetValue<string>());
        Assert.Equal(1, retry["retry_attempt"]!.GetValue<int>());
        Assert.Equal("timeout", retry["retry_reason"]!.GetValue<string>());
        await SendAsync(socket, new JsonObject { ["envelope_id"] = retry["envelope_id"]!.GetValue<string>() });
        await Eventually(() => host.Slack.SocketMode.Deliveries is [{ AckedAt: null }, { AckedAt: not null }]);
    }

    [Fact]
    public async Task A_connection_opened_while_envelopes_flow_gets_hello_before_any_of_them()
    {
        // Slack delivers nothing on a connection before its hello; a client that reads anything else first rightly gives
        // the connection up, and the envelope on it would be lost. Commands run without pause while connections open.
        await using var host = await StartAsync(o => o.AckDeadline = TimeSpan.FromSeconds(5));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var firsts = new List<string>();
        var sockets = new List<ClientWebSocket>();
        var ackers = new List<Task>();
        using var opened = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var commands = Enumerable.Range(0, 4).Select(async lane =>
        {
            var results = new List<SlashCommandResult>();
            for (var n = 0; !opened.IsCancellationRequested; n++)
                results.Add(await host.Slack.RunSlashCommandAsync(User, Channel, $"lane {lane} n{n}", Ct));
            return results;
        }).ToList();
        try
        {
            for (var i = 0; i < 150; i++)
            {
                var socket = await ConnectAsync(await OpenUrlAsync(host));
                sockets.Add(socket);
                var first = await ReceiveAsync(socket);
                firsts.Add(first["type"]!.GetValue<string>());
                if (first["envelope_id"] is JsonValue id)
                    await SendAsync(socket, new JsonObject { ["envelope_id"] = id.GetValue<string>() });
                ackers.Add(AcknowledgeAllAsync(socket, stop.Token));
                // As a refreshing client does: the old connection is told to go, so the next one opens into the flow.
                if (i > 0)
                    await host.Slack.SocketMode.SendDisconnectAsync("refresh_requested", host.Slack.SocketMode.Connections[i - 1].Id, Ct);
            }

            await opened.CancelAsync();
            var results = (await Task.WhenAll(commands)).SelectMany(r => r).ToList();
            Assert.All(firsts, type => Assert.Equal("hello", type));
            Assert.All(results, r => Assert.Null(r.Error));
            Assert.True(results.Count >= 150, $"only {results.Count} commands ran while the connections opened");
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var socket in sockets)
                socket.Abort();
            await Task.WhenAll(ackers.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var socket in sockets)
                socket.Dispose();
        }
    }

    [Fact]
    public async Task Refresh_requested_is_followed_by_the_stand_in_closing_the_connection_after_the_grace()
    {
        await using var host = await StartAsync(o => o.SocketModeRefreshGrace = TimeSpan.FromMilliseconds(300));
        using var socket = await ConnectAsync(await OpenUrlAsync(host));
        await ReceiveAsync(socket);

        await host.Slack.SocketMode.SendDisconnectAsync("refresh_requested", ct: Ct);
        var disconnect = await ReceiveAsync(socket);
        var close = await socket.ReceiveAsync(new byte[1024], Ct);

        Assert.Equal("disconnect", disconnect["type"]!.GetValue<string>());
        Assert.Equal("refresh_requested", disconnect["reason"]!.GetValue<string>());
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        await Eventually(() => host.Slack.SocketMode.Connections is [{ End: SocketModeEnd.ClosedBySlack }]);
    }

    [Fact]
    public async Task Dropping_connections_cuts_them_without_a_close_handshake()
    {
        await using var host = await StartAsync();
        using var socket = await ConnectAsync(await OpenUrlAsync(host));
        await ReceiveAsync(socket);

        host.Slack.SocketMode.DropConnections();

        await Assert.ThrowsAnyAsync<WebSocketException>(async () => await socket.ReceiveAsync(new byte[1024], Ct));
        Assert.Equal(SocketModeEnd.Dropped, Assert.Single(host.Slack.SocketMode.Connections).End);
        Assert.Equal(0, host.Slack.SocketMode.OpenConnections);
    }

    [Fact]
    public async Task Debug_reconnects_shorten_the_connection_to_Slacks_360_seconds()
    {
        await using var host = await StartAsync();
        var url = new Uri(await OpenUrlAsync(host) + "&debug_reconnects=true");
        using var socket = await ConnectAsync(url);

        var hello = await ReceiveAsync(socket);

        Assert.Equal(360, hello["debug_info"]!["approximate_connection_time"]!.GetValue<int>());
        Assert.True(Assert.Single(host.Slack.SocketMode.Connections).DebugReconnects);
    }

    [Fact]
    public async Task With_Socket_Mode_off_nothing_is_handed_out_and_commands_go_over_HTTP()
    {
        await using var host = await StandInHost.StartAsync();

        var answer = await host.CallFormAsync("apps.connections.open", new Dictionary<string, string>(), AppToken);

        Assert.Equal("invalid_auth", answer.Error);
        Assert.False(host.Slack.SocketMode.Enabled);
    }

    private static async Task<Uri> OpenUrlAsync(StandInHost host)
    {
        var answer = await host.CallFormAsync("apps.connections.open", new Dictionary<string, string>(), AppToken);
        Assert.True(answer.Ok, answer.Body.ToJsonString());
        return new Uri(answer.S("url"));
    }

    private static async Task<ClientWebSocket> ConnectAsync(Uri url)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(url, Ct);
        return socket;
    }

    private static async Task<JsonObject> ReceiveAsync(ClientWebSocket socket)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        var message = await ReceiveOrCloseAsync(socket, deadline.Token);
        Assert.True(message is not null, "The stand-in closed the connection instead of sending a message.");
        return message;
    }

    /// <summary>The next text message, or null once the stand-in closes the connection.</summary>
    private static async Task<JsonObject?> ReceiveOrCloseAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
                return JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()))!.AsObject();
        }
    }

    private static async Task AcknowledgeAllAsync(ClientWebSocket socket, CancellationToken ct)
    {
        while (await ReceiveOrCloseAsync(socket, ct) is { } envelope)
        {
            if (envelope["envelope_id"] is JsonValue id)
                await SendAsync(socket, new JsonObject { ["envelope_id"] = id.GetValue<string>() });
        }
    }

    private static Task SendAsync(ClientWebSocket socket, JsonObject message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, Ct);

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(20, Ct);
        }
    }
}
