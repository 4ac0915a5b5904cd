using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.SocketMode;

using Specific.JobsBot.Tests.Hosting;

namespace Specific.JobsBot.Tests.SocketMode;

/// <summary>
/// The bot's real composition (Program) with Slack:AppToken set, against the Slack stand-in's Socket Mode over real
/// WebSockets: envelopes reach the same handlers as the HTTP endpoints, and their answers ride on the acknowledgement.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SocketModeFrontDoorTests
{
    private const string User = "U0SANDBOX";
    private const string Channel = "C0SANDBOX";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_slash_command_over_Socket_Mode_is_answered_as_over_HTTP_and_starts_the_job()
    {
        await using var bot = await SocketModeBot.StartAsync();

        var result = await bot.Slack.RunSlashCommandAsync(User, Channel, "job run web echo hi", Ct);

        Assert.True(result.Error is null, result.Error);
        Assert.False(result.MissedDeadline);
        Assert.Contains("Starting `echo hi` on `web` in `production`", result.EphemeralReply?.Text, StringComparison.Ordinal);
        await FrontDoorApp.EventuallyAsync(() => bot.Launcher.Started.Count == 1, "the job to start");
        var job = await bot.Jobs.GetAsync(bot.Launcher.Started.Single(), Ct);
        Assert.Equal(("web", "echo hi", User), (job!.Service, job.Command, job.Origin.UserId));
    }

    [Fact]
    public async Task Opening_Home_over_Socket_Mode_is_acknowledged_empty_and_publishes_the_viewers_jobs()
    {
        await using var bot = await SocketModeBot.StartAsync();
        await bot.Jobs.CreateAsync(new Specific.Jobs.Domain.JobRequest("web", "production", "echo mine", null, new(Specific.Jobs.Domain.JobOrigin.Slack, "T1", Channel, User)), Ct);

        var delivery = await bot.Slack.OpenHomeAsync(User, Ct);
        await FrontDoorApp.EventuallyAsync(() => bot.Slack.HomeOf(User) is not null, "the Home tab to be published");

        Assert.True(delivery is { Error: null, MissedDeadline: false, Body: "" }, delivery?.Error);
        Assert.Contains("echo mine", bot.Slack.HomeOf(User)!.View.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_envelope_has_one_effect_and_gets_the_same_answer()
    {
        await using var bot = await SocketModeBot.StartAsync();
        bot.Slack.SocketMode.IgnoreNextAcks(1);

        var first = await bot.Slack.RunSlashCommandAsync(User, Channel, "job run web echo once", Ct);
        await FrontDoorApp.EventuallyAsync(() => bot.Slack.SocketMode.Deliveries is [_, { AckedAt: not null }], "the retry to be acknowledged");

        Assert.Equal("operation_timeout", first.Error);
        var (original, retry) = (bot.Slack.SocketMode.Deliveries[0], bot.Slack.SocketMode.Deliveries[1]);
        Assert.Equal(original.EnvelopeId, retry.EnvelopeId);
        Assert.Equal(1, retry.RetryAttempt);
        Assert.Equal(original.AckPayload, retry.AckPayload);
        Assert.Contains("Starting", retry.AckPayload, StringComparison.Ordinal);
        await Task.Delay(500, Ct);
        Assert.Single(bot.Launcher.Started);
        Assert.Single(await bot.Jobs.ListAsync(new JobQuery(Limit: 10), Ct));
    }

    [Fact]
    public async Task A_modal_submission_is_answered_with_response_action_errors_on_the_acknowledgement()
    {
        await using var bot = await SocketModeBot.StartAsync();
        var opened = await bot.Slack.RunSlashCommandAsync(User, Channel, "job run", Ct);
        Assert.True(opened.Error is null, opened.Error);
        var view = await bot.Slack.WaitForViewAsync(User, v => v.CallbackId == JobModal.CallbackId, TimeSpan.FromSeconds(10), Ct);
        var values = FilledIn(view);
        values[JobModal.CommandBlock] = new Dictionary<string, string> { [JobModal.CommandAction] = "   " };

        var submitted = await bot.Slack.SubmitViewAsync(User, view.Id, values, Ct);

        Assert.True(submitted.Error is null, submitted.Error);
        Assert.Equal("errors", submitted.ResponseAction);
        Assert.True(submitted.Errors.ContainsKey(JobModal.CommandBlock), string.Join("; ", submitted.Errors));
        Assert.NotNull(bot.Slack.OpenView(User));
        Assert.Empty(bot.Launcher.Started);
    }

    [Fact]
    public async Task In_Socket_Mode_without_a_signing_secret_nothing_posted_over_HTTP_is_accepted()
    {
        await using var bot = await SocketModeBot.StartAsync();
        var status = bot.Services.GetRequiredService<SocketModeStatus>();
        // The WebSocket connects in the background after start: wait for it, so the refusal below is of HTTP alone.
        await Commands.Host.FrontDoorApp.EventuallyAsync(() => status.Current.State == SocketModeState.Connected, "the Socket Mode connection to open");

        using var response = await bot.CreateClient().PostAsync(
            "/slack/commands", new FormUrlEncodedContent(new Dictionary<string, string> { ["command"] = "/specific", ["text"] = "help" }), Ct);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(SocketModeState.Connected, status.Current.State);
    }

    [Fact]
    public async Task A_bot_token_given_as_the_app_token_stops_start_up_naming_Slack__AppToken()
    {
        await using var bot = new SocketModeBot(await StandIn(), appToken: "xoxb-not-an-app-token");

        var message = StartupFailure.MessageOf(() => bot.CreateClient());

        Assert.Contains("Slack__AppToken", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_follows_the_connection_ready_while_connected_and_unready_naming_socket_mode_when_Slack_refuses_the_token()
    {
        await using var connected = await SocketModeBot.StartAsync();
        // (This host has no Temporal server, so only the socket_mode check is read, not the overall status.)
        var (_, body) = await ReadyAsync(connected);
        Assert.Equal("Healthy", Check(body, "socket_mode").GetProperty("status").GetString());
        Assert.Contains("1 open connection", CheckDescription(body, "socket_mode"), StringComparison.Ordinal);

        // An xapp- token that passes the start-up check but that Slack does not know: Socket Mode stops for good.
        await using var refused = new SocketModeBot(await StandIn(), appToken: "xapp-1-revoked");
        _ = refused.Server;
        await FrontDoorApp.EventuallyAsync(
            () => refused.Services.GetRequiredService<SocketModeStatus>().Current.State == SocketModeState.Failed, "Socket Mode to give up on the token");
        (var status, body) = await ReadyAsync(refused);
        Assert.Equal(503, status);
        Assert.Contains("socket_mode", body.GetProperty("failing").EnumerateArray().Select(name => name.GetString()));
        Assert.Contains("Slack__AppToken", CheckDescription(body, "socket_mode"), StringComparison.Ordinal);
    }

    private static async Task<(int Status, System.Text.Json.JsonElement Body)> ReadyAsync(SocketModeBot bot)
    {
        using var response = await bot.CreateClient().GetAsync(Specific.JobsBot.Hosting.Health.BotHealth.ReadyPath, Ct);
        var json = await response.Content.ReadAsStringAsync(Ct);
        return ((int)response.StatusCode, System.Text.Json.JsonDocument.Parse(json).RootElement.Clone());
    }

    private static System.Text.Json.JsonElement Check(System.Text.Json.JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().Single(check => check.GetProperty("name").GetString() == name);

    private static string CheckDescription(System.Text.Json.JsonElement body, string name) =>
        Check(body, name).GetProperty("description").GetString() ?? "";

    private static Dictionary<string, IReadOnlyDictionary<string, string>> FilledIn(StandInView view)
    {
        var values = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var block in view.View.GetProperty("blocks").EnumerateArray())
        {
            if (block.GetProperty("type").GetString() != "input" || !block.TryGetProperty("element", out var element))
            {
                continue;
            }

            var value = element.TryGetProperty("initial_value", out var initial) ? initial.GetString()
                : element.TryGetProperty("initial_option", out var option) ? option.GetProperty("value").GetString()
                : element.TryGetProperty("options", out var options) ? options[0].GetProperty("value").GetString()
                : null;
            if (value is not null)
            {
                values[block.GetProperty("block_id").GetString()!] = new Dictionary<string, string> { [element.GetProperty("action_id").GetString()!] = value };
            }
        }

        return values;
    }

    private static Task<SlackStandIn> StandIn() => SlackStandIn.StartAsync(new SlackStandInOptions
    {
        Url = "http://127.0.0.1:0",
        BotToken = SocketModeBot.BotToken,
        AppToken = SocketModeBot.AppToken,
        BotUrl = "http://127.0.0.1:9/",
        RateLimits = SlackRateLimits.Off,
        SocketModeRetryDelays = [TimeSpan.Zero],
        HomeTabEnabled = true,
        BotEvents = ["app_home_opened"],
    }, ct: Ct);

    /// <summary>The bot in Socket Mode with the engine faked in memory, connected to a stand-in.</summary>
    private sealed class SocketModeBot(SlackStandIn slack, string appToken = SocketModeBot.AppToken) : WebApplicationFactory<Program>
    {
        public const string BotToken = "xoxb-socket-mode-bot";
        public const string AppToken = "xapp-1-socket-mode-bot";

        private readonly string _scratch = Directory.CreateTempSubdirectory("socketmode-").FullName;

        public SlackStandIn Slack { get; } = slack;
        public InMemoryJobStore Jobs { get; } = new();
        public RecordingLauncher Launcher => _launcher ??= new RecordingLauncher(Jobs);

        private RecordingLauncher? _launcher;

        public static async Task<SocketModeBot> StartAsync()
        {
            var bot = new SocketModeBot(await StandIn());
            _ = bot.Server;
            await bot.Slack.SocketMode.WaitForOpenConnectionsAsync(1, TimeSpan.FromSeconds(15), Ct);
            return bot;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Slack:BotToken", BotToken);
            builder.UseSetting("Slack:AppToken", appToken);
            builder.UseSetting("Slack:ApiBaseUrl", Slack.ApiBaseUrl.ToString());
            builder.UseSetting("Storage:SqlitePath", Path.Combine(_scratch, "jobs.db"));
            builder.UseSetting("Environments:Default", "production");
            builder.UseSetting("Environments:Targets:production:Namespace", "production");
            builder.UseSetting("Environments:Targets:staging:Namespace", "staging");
            // Production is closed until a policy opens it; these tests start jobs there without confirmation.
            builder.UseSetting("Guardrails:Environments:production:Run:Users:0", "*");
            builder.UseSetting("Guardrails:Environments:production:RequireConfirmation", "false");
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<IJobStore>().AddSingleton<IJobStore>(Jobs);
                services.RemoveAll<ILogStore>().AddSingleton<ILogStore>(new InMemoryLogStore());
                services.RemoveAll<IRequestLedger>().AddSingleton<IRequestLedger>(new InMemoryRequestLedger());
                services.RemoveAll<IJobLauncher>().AddSingleton<IJobLauncher>(Launcher);
                services.RemoveAll<IServiceCatalog>().AddSingleton<IServiceCatalog>(new StubServiceCatalog());
            });
        }

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await base.DisposeAsync();
            }
            finally
            {
                await Slack.DisposeAsync();
                Directory.Delete(_scratch, recursive: true);
            }
        }
    }
}
