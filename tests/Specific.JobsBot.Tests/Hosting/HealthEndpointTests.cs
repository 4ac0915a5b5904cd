using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Specific.Jobs.Flow;
using Specific.JobsBot.Hosting.Health;
using Temporalio.Client;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>/healthz and /readyz of the bot role, against the real store, the Slack stand-in and a PostgreSQL that goes away.</summary>
[Collection(MetricsCollection.Name)]
public sealed class HealthEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ready_when_the_store_and_Slack_both_answer()
    {
        await using var bot = await OpsApp.StartAsync();

        var (status, body) = await bot.ReadyAsync();

        Assert.Equal(200, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal(["shutdown", "slack", "socket_mode", "store"], CheckNames(body).Order());
        Assert.Empty(body.GetProperty("failing").EnumerateArray());
    }

    [Fact]
    public async Task Unready_naming_slack_when_auth_test_answers_invalid_auth_while_liveness_stays_up()
    {
        await using var bot = await OpsApp.StartAsync(standInToken: "xoxb-another-workspace");

        var (status, body) = await bot.ReadyAsync();

        Assert.Equal(503, status);
        Assert.Equal(["slack"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        var slack = Check(body, "slack");
        Assert.Equal("Unhealthy", slack.GetProperty("status").GetString());
        Assert.Contains("invalid_auth", slack.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("Slack__BotToken", slack.GetProperty("description").GetString(), StringComparison.Ordinal);

        using var live = await bot.Client.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);
        Assert.Equal(200, (int)live.StatusCode);
    }

    [Fact]
    public async Task Slack_auth_test_is_asked_once_for_many_probes()
    {
        await using var bot = await OpsApp.StartAsync();

        for (var probe = 0; probe < 5; probe++)
        {
            Assert.Equal(200, (await bot.ReadyAsync()).Status);
        }

        Assert.Single(bot.Slack.Calls, call => call.Method == "auth.test");
    }

    [Fact]
    public async Task A_rate_limited_auth_test_keeps_the_bot_ready_and_is_counted_as_a_429()
    {
        await using var bot = await OpsApp.StartAsync();
        bot.Slack.Faults.RateLimitNext(1, "auth.test", retryAfterSeconds: 30);

        var (status, body) = await bot.ReadyAsync();

        Assert.Equal(200, status);
        Assert.Equal("Degraded", Check(body, "slack").GetProperty("status").GetString());
        var metrics = await bot.MetricsAsync();
        Assert.Equal(1, OpsApp.Sample(metrics, "slack_api_rate_limited_total", "method=\"auth.test\""));
        Assert.Equal(1, OpsApp.Sample(metrics, "slack_api_calls_total", "method=\"auth.test\"", "outcome=\"rate_limited\""));
    }

    [Fact]
    public async Task Degraded_but_ready_naming_the_store_when_the_PostgreSQL_every_replica_shares_becomes_unreachable()
    {
        var server = Environment.GetEnvironmentVariable("JOBSBOT_TEST_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            Assert.Skip("JOBSBOT_TEST_POSTGRES is not set: set it to a PostgreSQL connection string, for example "
                + "'Host=127.0.0.1;Username=jobsbot;Password=jobsbot;Database=jobsbot_test', to run the PostgreSQL tests.");
        }

        var direct = new NpgsqlConnectionStringBuilder(server);
        var schema = "ops_health_" + Guid.NewGuid().ToString("N")[..12];
        await using var proxy = new LoopbackProxy(direct.Host ?? "127.0.0.1", direct.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(server) { Host = "127.0.0.1", Port = proxy.Port, SearchPath = schema, Timeout = 3 };
        try
        {
            await using var bot = await OpsApp.StartAsync(new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "postgres",
                ["Storage:ConnectionString"] = viaProxy.ToString(),
            });
            Assert.Equal(200, (await bot.ReadyAsync()).Status);

            await proxy.CutAsync();
            var (status, body) = await bot.ReadyAsync();

            // Every replica shares the database: taking them all out would only make Slack show its generic error.
            Assert.Equal(200, status);
            Assert.Equal("Degraded", body.GetProperty("status").GetString());
            Assert.Empty(body.GetProperty("failing").EnumerateArray());
            var store = Check(body, "store");
            Assert.Equal("Degraded", store.GetProperty("status").GetString());
            Assert.Contains("Storage__ConnectionString", store.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("stays in the Service", store.GetProperty("description").GetString(), StringComparison.Ordinal);
            // Left in the Service, the replica still answers Slack itself (a replica taken out would leave Slack's generic error).
            using var answer = await bot.SlashCommandAsync("job run web -- echo hi");
            Assert.Equal(200, (int)answer.StatusCode);
        }
        finally
        {
            await using var admin = NpgsqlDataSource.Create(server);
            await using var drop = admin.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync(Ct);
        }
    }

    private static IEnumerable<string> CheckNames(JsonElement body) =>
        body.GetProperty("checks").EnumerateArray().Select(check => check.GetProperty("name").GetString()!);

    [Fact]
    public async Task Degraded_but_ready_naming_Temporal_when_the_frontend_every_replica_shares_does_not_answer()
    {
        // Port 9 has no listener: the Temporal client connects lazily, so the bot starts and its probe finds nobody.
        await using var bot = await OpsApp.StartAsync(new Dictionary<string, string?>
        {
            ["Bot:Engine"] = "Temporal",
            ["Temporal:Address"] = "127.0.0.1:9",
        }, withCluster: true);

        var (status, body) = await bot.ReadyAsync();

        Assert.Equal(200, status);
        Assert.Empty(body.GetProperty("failing").EnumerateArray());
        var temporal = Check(body, "temporal");
        Assert.Equal("Degraded", temporal.GetProperty("status").GetString());
        Assert.Contains("Temporal at 127.0.0.1:9 does not answer", temporal.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("stays in the Service", temporal.GetProperty("description").GetString(), StringComparison.Ordinal);
        // Left in the Service, the replica answers Slack itself, and the job it could not hand to Temporal ends failed, saying why.
        using var answer = await bot.SlashCommandAsync("job run web -- echo hi");
        Assert.Equal(200, (int)answer.StatusCode);
        var failed = await bot.Slack.WaitForMessageAsync(
            message => message.ChannelId == OpsApp.Channel && message.VisibleText.Contains("could not be started", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), Ct);
        Assert.Contains("Failed", failed.VisibleText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_that_cannot_reach_Temporal_is_unhealthy_since_it_serves_no_Slack_traffic()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new TemporalOptions { Address = "127.0.0.1:9" });
        var client = TemporalClient.CreateLazy(new TemporalClientConnectOptions("127.0.0.1:9"));

        var worker = await new TemporalHealthCheck(client, options).CheckHealthAsync(new HealthCheckContext(), Ct);
        var bot = await new TemporalHealthCheck(client, options, staysReady: true).CheckHealthAsync(new HealthCheckContext(), Ct);

        Assert.Equal(HealthStatus.Unhealthy, worker.Status);
        Assert.DoesNotContain("stays in the Service", worker.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, bot.Status);
    }

    private static JsonElement Check(JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().Single(check => check.GetProperty("name").GetString() == name);
}
