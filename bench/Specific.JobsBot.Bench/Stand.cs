using System.Security.Cryptography;
using Specific.Sandbox.ClusterSimulator;
using Specific.Sandbox.SlackStandIn;
using Specific.Sandbox.TemporalStandIn;

namespace Specific.JobsBot.Bench;

/// <summary>
/// The offline world one bot runs against in a benchmark: the cluster simulator (sandbox/cluster.yaml plus any extra
/// manifests), the Slack stand-in and, on the Temporal engine, the Temporal stand-in, all in the bench process on
/// loopback, with fresh credentials and a bot URL.
/// </summary>
public sealed class Stand : IAsyncDisposable
{
    private Stand(ClusterSimulator cluster, SlackStandIn slack, TemporalStandIn? temporal, Uri botUrl, string signingSecret, string botToken)
    {
        Cluster = cluster;
        Slack = slack;
        Temporal = temporal;
        BotUrl = botUrl;
        SigningSecret = signingSecret;
        BotToken = botToken;
    }

    public ClusterSimulator Cluster { get; }
    public SlackStandIn Slack { get; }

    /// <summary>The Temporal frontend the bot starts RunJob on and the worker polls; null on the in-process engine.</summary>
    public TemporalStandIn? Temporal { get; }

    public BotEngine Engine => Temporal is null ? BotEngine.InProcess : BotEngine.Temporal;
    public Uri BotUrl { get; }
    public string SigningSecret { get; }
    public string BotToken { get; }

    public static async Task<Stand> StartAsync(
        string signingSecret, CancellationToken ct, BotEngine engine = BotEngine.InProcess,
        Action<SlackStandInOptions>? configureSlack = null, params string[] extraManifests)
    {
        var botToken = "xoxb-bench-" + RandomNumberGenerator.GetHexString(24, lowercase: true);
        var botUrl = new Uri($"http://127.0.0.1:{BotProcess.FreePort()}");
        var simulatorOptions = new ClusterSimulatorOptions { Url = "http://127.0.0.1:0" };
        simulatorOptions.ManifestPaths.Add(Path.Combine(ResultFiles.RepositoryRoot(), "sandbox", "cluster.yaml"));
        foreach (var manifest in extraManifests)
        {
            simulatorOptions.ManifestPaths.Add(manifest);
        }
        var cluster = await ClusterSimulator.StartAsync(simulatorOptions, cancellationToken: ct);
        try
        {
            var slackOptions = new SlackStandInOptions { Url = "http://127.0.0.1:0", SigningSecret = signingSecret, BotToken = botToken, BotUrl = botUrl.ToString().TrimEnd('/') };
            configureSlack?.Invoke(slackOptions);
            var slack = await SlackStandIn.StartAsync(slackOptions, ct: ct);
            try
            {
                var temporal = engine == BotEngine.Temporal
                    ? await TemporalStandIn.StartAsync(new TemporalStandInOptions { Url = "http://127.0.0.1:0" }, ct: ct)
                    : null;
                return new Stand(cluster, slack, temporal, botUrl, signingSecret, botToken);
            }
            catch
            {
                await slack.DisposeAsync();
                throw;
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The bot's configuration against this stand, as environment variables: this stand's engine (on Temporal, the
    /// worker process gets the same with its own URL), the given store, production-like Warning logging.
    /// </summary>
    public Dictionary<string, string> BotEnvironment(string store, string? postgresConnection, string dataDirectory)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Bot__Url"] = BotUrl.ToString().TrimEnd('/'),
            ["Bot__Engine"] = Engine.ToString(),
            ["Slack__SigningSecret"] = SigningSecret,
            ["Slack__BotToken"] = BotToken,
            ["Slack__ApiBaseUrl"] = Slack.ApiBaseUrl.ToString(),
            ["Kubernetes__Host"] = Cluster.BaseUrl.ToString().TrimEnd('/'),
            ["Storage__Provider"] = store,
            ["Storage__LogsSqlitePath"] = Path.Combine(dataDirectory, "logs.db"),
            ["Environments__Default"] = "production",
            ["Environments__Targets__production__Namespace"] = "production",
            ["Environments__Targets__staging__Namespace"] = "staging",
            // Production is closed until a policy opens it; the bench measures an allowed, unconfirmed start.
            ["Guardrails__Environments__production__Run__Users__0"] = "*",
            ["Guardrails__Environments__production__RequireConfirmation"] = "false",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // Production-like logging: information-level console output would be the bench's bottleneck, not the bot's.
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_NOLOGO"] = "1",
        };
        if (store == "postgres")
        {
            environment["Storage__ConnectionString"] = postgresConnection ?? throw new ArgumentNullException(nameof(postgresConnection));
        }
        else
        {
            environment["Storage__SqlitePath"] = Path.Combine(dataDirectory, "jobs.db");
        }
        if (Temporal is not null)
        {
            environment["Temporal__Address"] = Temporal.TargetHost;
        }
        return environment;
    }

    public async ValueTask DisposeAsync()
    {
        if (Temporal is not null)
        {
            await Temporal.DisposeAsync();
        }
        await Slack.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
