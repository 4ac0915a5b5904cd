using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;
using Specific.Slack.SocketMode;
using Specific.Slack.WebApi;

namespace Specific.Slack.Tests.SocketMode;

/// <summary>
/// The real Socket Mode client against the Slack stand-in over loopback WebSockets: the stand-in opens connections,
/// delivers, waits for acknowledgements and retries by Slack's rules, on its own code.
/// </summary>
public sealed class SocketModeClientTests
{
    private const string BotToken = "xoxb-socket-mode-test";
    private const string AppToken = "xapp-1-socket-mode-test";
    private const string User = "U0SANDBOX";
    private const string Channel = "C0SANDBOX";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_slash_command_is_acknowledged_with_the_handlers_reply_which_the_person_sees()
    {
        await using var world = await SocketWorld.StartAsync();

        var result = await world.Slack.RunSlashCommandAsync(User, Channel, "help", Ct);

        Assert.Null(result.Error);
        Assert.False(result.MissedDeadline);
        Assert.Equal("You typed: help", result.EphemeralReply?.Text);
        var delivery = Assert.Single(world.Slack.SocketMode.Deliveries);
        Assert.Equal("slash_commands", delivery.Type);
        Assert.Equal(0, delivery.RetryAttempt);
        Assert.NotNull(delivery.AckedAt);
        Assert.Equal(SocketModeState.Connected, world.Status.Current.State);
        Assert.Equal(1, world.Status.Current.OpenConnections);
    }

    [Fact]
    public async Task A_view_submission_is_answered_with_its_response_action_and_the_modal_shows_the_errors()
    {
        await using var world = await SocketWorld.StartAsync();
        var result = await world.Slack.RunSlashCommandAsync(User, Channel, "open", Ct);
        Assert.Null(result.Error);
        var view = await world.Slack.WaitForViewAsync(User, _ => true, TimeSpan.FromSeconds(5), Ct);

        var submitted = await world.Slack.SubmitViewAsync(User, view.Id,
            new Dictionary<string, IReadOnlyDictionary<string, string>> { ["command"] = new Dictionary<string, string> { ["command"] = "rm -rf /" } }, Ct);

        Assert.Null(submitted.Error);
        Assert.Equal("errors", submitted.ResponseAction);
        Assert.Equal("Not that one.", submitted.Errors["command"]);
        Assert.NotNull(world.Slack.OpenView(User));
    }

    [Theory]
    [InlineData("refresh_requested")]
    [InlineData("warning")]
    [InlineData("link_disabled")]
    public async Task On_disconnect_the_next_connection_is_open_before_the_old_one_closes(string reason)
    {
        await using var world = await SocketWorld.StartAsync();

        await world.Slack.SocketMode.SendDisconnectAsync(reason, ct: Ct);
        await Eventually(() => world.Slack.SocketMode.Connections is [{ End: not SocketModeEnd.Open }, { End: SocketModeEnd.Open }]);

        var (old, next) = (world.Slack.SocketMode.Connections[0], world.Slack.SocketMode.Connections[1]);
        Assert.Equal(SocketModeEnd.ClosedByBot, old.End);
        Assert.True(next.OpenedAt <= old.ClosedAt, $"connection 2 opened at {next.OpenedAt:O}, after connection 1 closed at {old.ClosedAt:O}");
        Assert.Equal([reason], old.DisconnectsSent);
        var result = await world.Slack.RunSlashCommandAsync(User, Channel, "after the refresh", Ct);
        Assert.Equal("You typed: after the refresh", result.EphemeralReply?.Text);
        // The stand-in records the close when its side of the socket ends; the client counts it when its receive loop
        // sees the end, a moment later: wait for that, but a second reconnect or a connection left open still fails.
        await Eventually(() => world.Status.Current is { Reconnects: 1, OpenConnections: 1 },
            why: () => $"status {world.Status.Current}");
    }

    [Fact]
    public async Task Envelopes_keep_being_answered_while_connections_are_refreshed_under_them()
    {
        await using var world = await SocketWorld.StartAsync();

        var results = new List<SlashCommandResult>();
        for (var i = 1; i <= 12; i++)
        {
            if (i % 4 == 0)
            {
                // Not waited for: the next commands arrive while the bot swaps connections.
                await world.Slack.SocketMode.SendDisconnectAsync("refresh_requested", ct: Ct);
            }

            results.Add(await world.Slack.RunSlashCommandAsync(User, Channel, $"n{i}", Ct));
        }

        Assert.All(results, r => Assert.True(r.Error is null, $"{r.Error} after {r.Elapsed}; deliveries: "
            + string.Join("; ", world.Slack.SocketMode.Deliveries.Select(d => $"{d.EnvelopeId[..8]} #{d.RetryAttempt} on {d.ConnectionId} acked {d.AckedAt is not null}"))));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"You typed: n{i}"), results.Select(r => r.EphemeralReply!.Text));
        Assert.Empty(world.Slack.DeadlineMisses);
        // A disconnect that reaches a connection already being replaced changes nothing; each replaced one is closed by the bot.
        await Eventually(() => world.Slack.SocketMode.Connections is { Count: >= 2 } all
                && all.Count(c => c.End == SocketModeEnd.Open) == 1
                && all.All(c => c.End == SocketModeEnd.Open ? c.DisconnectsSent.Count == 0 : c.End == SocketModeEnd.ClosedByBot),
            why: () => string.Join("; ", world.Slack.SocketMode.Connections.Select(c => $"#{c.Id} {c.End} [{string.Join(",", c.DisconnectsSent)}]")) + $" status {world.Status.Current}");
        Assert.All(world.Slack.SocketMode.Deliveries, d => Assert.NotNull(d.AckedAt));
    }

    [Fact]
    public async Task An_abrupt_drop_is_followed_by_a_reconnect_and_delivery_goes_on()
    {
        await using var world = await SocketWorld.StartAsync();

        world.Slack.SocketMode.DropConnections();
        await world.Slack.SocketMode.WaitForOpenConnectionsAsync(1, TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(SocketModeEnd.Dropped, world.Slack.SocketMode.Connections[0].End);
        var result = await world.Slack.RunSlashCommandAsync(User, Channel, "still here", Ct);
        Assert.Equal("You typed: still here", result.EphemeralReply?.Text);
        // At least one reconnect: this test is about delivery going on after a drop, not about how many connections the
        // client needed to get there. With exactly one it failed once on a loaded machine, without saying which part.
        await Eventually(() => world.Status.Current is { State: SocketModeState.Connected, Reconnects: >= 1 },
            why: () => $"status {world.Status.Current}; connections: "
                + string.Join("; ", world.Slack.SocketMode.Connections.Select(c => $"#{c.Id} {c.End}")));
    }

    [Fact]
    public async Task A_failing_connections_open_is_retried_with_growing_waits_until_it_succeeds()
    {
        await using var world = await SocketWorld.StartAsync(connect: false);
        world.Slack.Faults.ServerErrorNext(3, SocketModeProtocol.OpenMethod);

        world.Run();
        await world.Slack.SocketMode.WaitForOpenConnectionsAsync(1, TimeSpan.FromSeconds(15), Ct);

        var opens = world.Slack.Calls.Where(c => c.Method == SocketModeProtocol.OpenMethod).ToList();
        Assert.Equal([500, 500, 500, 200], opens.Select(c => c.StatusCode));
        var gaps = opens.Zip(opens.Skip(1), (a, b) => b.At - a.At).ToList();
        // Base 100 ms doubling: the waits are at least 50, 100 and 200 ms.
        Assert.True(gaps[0] >= TimeSpan.FromMilliseconds(45) && gaps[2] >= TimeSpan.FromMilliseconds(190), string.Join(", ", gaps));
        Assert.Equal(SocketModeState.Connected, world.Status.Current.State);
    }

    [Fact]
    public async Task A_token_Slack_refuses_stops_Socket_Mode_with_a_reason_readiness_can_read()
    {
        const string error = "invalid_auth";
        await using var world = await SocketWorld.StartAsync(connect: false, clientAppToken: "xapp-1-someone-elses");

        world.Run();
        await world.Running!.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var status = world.Status.Current;
        Assert.Equal(SocketModeState.Failed, status.State);
        Assert.False(status.CanReceive);
        Assert.Contains(error, status.LastError, StringComparison.Ordinal);
        Assert.Contains("Slack__AppToken", status.LastError, StringComparison.Ordinal);
        Assert.Single(world.Slack.Calls, c => c.Method == SocketModeProtocol.OpenMethod);
        Assert.Empty(world.Slack.SocketMode.Connections);
    }

    [Theory]
    [InlineData(BotToken)]
    [InlineData("A0123-not-a-token")]
    public void An_app_token_that_is_not_xapp_stops_start_up_naming_Slack__AppToken(string token)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = BotToken,
            ["Slack:AppToken"] = token,
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddSlackWebClient(configuration).AddSlackSocketModeClient().BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SlackOptions>>().Value);

        Assert.Contains("Slack__AppToken", failure.Message, StringComparison.Ordinal);
        Assert.Contains("xapp-", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unacknowledged_envelope_comes_again_with_the_same_id_and_a_retry_attempt()
    {
        await using var world = await SocketWorld.StartAsync();
        world.Slack.SocketMode.IgnoreNextAcks(1);

        var first = await world.Slack.RunSlashCommandAsync(User, Channel, "once", Ct);
        await Eventually(() => world.Slack.SocketMode.Deliveries.Count == 2 && world.Slack.SocketMode.Deliveries[1].AckedAt is not null);

        Assert.Equal("operation_timeout", first.Error);
        var (original, retry) = (world.Slack.SocketMode.Deliveries[0], world.Slack.SocketMode.Deliveries[1]);
        Assert.True(original.AckIgnored);
        Assert.Equal(original.EnvelopeId, retry.EnvelopeId);
        Assert.Equal((1, "timeout"), (retry.RetryAttempt, retry.RetryReason));
        Assert.Equal([0, 1], world.Handler.Seen.Where(s => s.EnvelopeId == original.EnvelopeId).Select(s => s.RetryAttempt));
    }

    [Fact]
    public async Task Debug_reconnects_ask_Slack_for_short_connections_which_roll_over_without_a_gap()
    {
        await using var world = await SocketWorld.StartAsync(
            configureSlack: o => o.SocketModeDebugConnectionLifetime = TimeSpan.FromSeconds(1),
            settings: new Dictionary<string, string?> { ["Slack:SocketMode:DebugReconnects"] = "true" });

        await Eventually(() => world.Slack.SocketMode.Connections.Count(c => c.End != SocketModeEnd.Open) >= 2, TimeSpan.FromSeconds(10));

        var connections = world.Slack.SocketMode.Connections;
        Assert.All(connections, c => Assert.True(c.DebugReconnects));
        Assert.Equal(["warning"], connections[0].DisconnectsSent.Take(1));
        foreach (var (old, next) in connections.Zip(connections.Skip(1)))
        {
            Assert.True(old.End is SocketModeEnd.ClosedByBot or SocketModeEnd.Open, $"connection {old.Id} ended {old.End}");
            Assert.True(old.ClosedAt is null || next.OpenedAt <= old.ClosedAt, $"a gap between connection {old.Id} and {next.Id}");
        }
    }

    [Fact]
    public async Task Stopping_acknowledges_the_envelopes_in_hand_before_closing()
    {
        await using var world = await SocketWorld.StartAsync(handlerDelay: TimeSpan.FromMilliseconds(600));

        var command = world.Slack.RunSlashCommandAsync(User, Channel, "slow", Ct);
        await Eventually(() => world.Handler.Seen.Count == 1);
        await world.StopAsync();
        var result = await command;

        Assert.Equal("You typed: slow", result.EphemeralReply?.Text);
        Assert.Equal(SocketModeEnd.ClosedByBot, Assert.Single(world.Slack.SocketMode.Connections).End);
        Assert.Equal(SocketModeState.Stopped, world.Status.Current.State);
    }

    private static async Task Eventually(Func<bool> condition, TimeSpan? timeout = null, Func<string>? why = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time. " + why?.Invoke());
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Echoes slash commands, opens a modal on "open", refuses one command in the modal; records what it saw.</summary>
    private sealed class EchoHandler(SlackWebClient web, TimeSpan delay) : ISocketModeHandler
    {
        public ConcurrentQueue<SocketModeEnvelope> Seen { get; } = new();

        public async Task<string?> HandleAsync(SocketModeEnvelope envelope, CancellationToken cancellationToken)
        {
            Seen.Enqueue(envelope);
            await Task.Delay(delay, CancellationToken.None);
            if (envelope.Type == SocketModeProtocol.SlashCommands)
            {
                var slash = envelope.ReadSlashCommand();
                if (slash.Text == "open")
                {
                    var modal = new ModalView(new PlainText("Run"), [new InputBlock(new PlainText("Command"), new PlainTextInputElement("command")) { BlockId = "command" }])
                    {
                        CallbackId = "job_run",
                        Submit = new PlainText("Run"),
                    };
                    await web.OpenViewAsync(slash.TriggerId!, modal, cancellationToken);
                    return null;
                }

                return SlackJson.Serialize(SlackMessage.Ephemeral($"You typed: {slash.Text}"));
            }

            return envelope.ReadInteraction() is ViewSubmissionPayload
                ? SlackJson.Serialize(ViewSubmissionResponse.WithErrors(new Dictionary<string, string> { ["command"] = "Not that one." }))
                : null;
        }
    }

    /// <summary>The stand-in with Socket Mode on, and the client connected to it through DI as a host would build it.</summary>
    private sealed class SocketWorld : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        private SocketWorld(SlackStandIn slack, ServiceProvider services, EchoHandler handler)
        {
            Slack = slack;
            Services = services;
            Handler = handler;
        }

        public SlackStandIn Slack { get; }
        public ServiceProvider Services { get; }
        public EchoHandler Handler { get; }
        public SocketModeStatus Status => Services.GetRequiredService<SocketModeStatus>();
        public Task? Running { get; private set; }

        public static async Task<SocketWorld> StartAsync(
            bool connect = true, string clientAppToken = AppToken, TimeSpan? handlerDelay = null,
            Action<SlackStandInOptions>? configureSlack = null, Dictionary<string, string?>? settings = null)
        {
            var options = new SlackStandInOptions
            {
                Url = "http://127.0.0.1:0",
                BotToken = BotToken,
                AppToken = AppToken,
                SigningSecret = "unused-in-socket-mode",
                BotUrl = "http://127.0.0.1:9/",
                RateLimits = SlackRateLimits.Off,
                SocketModeRetryDelays = [TimeSpan.Zero],
                SocketModeRefreshGrace = TimeSpan.FromSeconds(5),
            };
            configureSlack?.Invoke(options);
            var slack = await SlackStandIn.StartAsync(options, ct: Ct);
            var values = new Dictionary<string, string?>
            {
                ["Slack:BotToken"] = BotToken,
                ["Slack:AppToken"] = clientAppToken,
                ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
                ["Slack:SocketMode:ReconnectBaseDelay"] = "00:00:00.1",
                ["Slack:SocketMode:ReconnectMaxDelay"] = "00:00:01",
                ["Slack:SocketMode:HelloTimeout"] = "00:00:03",
            };
            foreach (var (key, value) in settings ?? [])
            {
                values[key] = value;
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
            var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(configuration)
                .AddLogging()
                .AddSlackWebClient(configuration)
                .AddSlackSocketModeClient()
                .BuildServiceProvider();
            var world = new SocketWorld(slack, services, new EchoHandler(services.GetRequiredService<SlackWebClient>(), handlerDelay ?? TimeSpan.Zero));
            if (connect)
            {
                world.Run();
                await slack.SocketMode.WaitForOpenConnectionsAsync(1, TimeSpan.FromSeconds(10), Ct);
                // The stand-in counts a connection open when it has sent hello; the client, once it has read it. A test
                // that drops the connection in between would drop one the client never had (and count no reconnect).
                await Eventually(
                    () => world.Status.Current.State == SocketModeState.Connected,
                    why: () => $"the client never saw its first connection open: {world.Status.Current}");
            }

            return world;
        }

        public void Run() => Running = Services.GetRequiredService<SocketModeClient>().RunAsync(Handler, _stop.Token);

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            if (Running is not null)
            {
                await Running.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            await Services.DisposeAsync();
            await Slack.DisposeAsync();
            _stop.Dispose();
        }
    }
}
