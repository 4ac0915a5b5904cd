using System.Security.Cryptography;
using Specific.Sandbox.ClusterSimulator;
using Specific.Sandbox.SlackStandIn;

namespace Specific.JobsBot.Bench;

/// <summary>
/// The offline world one bot runs against in a benchmark: the cluster simulator (sandbox/cluster.yaml plus any extra
/// manifests) and the Slack stand-in, both in the bench process on loopback, with fresh credentials and a bot URL.
/// </summary>
public sealed class Stand : IAsyncDisposable
{
    private Stand(ClusterSimulator cluster, SlackStandIn slack, Uri botUrl, string signingSecret, string botToken)
    {
        Cluster = cluster;
        Slack = slack;
        BotUrl = botUrl;
        SigningSecret = signingSecret;
        BotToken = botToken;
    }

    public ClusterSimulator Cluster { get; }
    public SlackStandIn Slack { get; }
    public Uri BotUrl { get; }
    public string SigningSecret { get; }
    public string BotToken { get; }

    public static async Task<Stand> StartAsync(
        string signingSecret, CancellationToken ct, Action<SlackStandInOptions>? configureSlack = null, params string[] extraManifests)
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
            return new Stand(cluster, slack, botUrl, signingSecret, botToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The bot's configuration against this stand, as environment variables: the in-process engine the sandbox uses,
    /// the given store, production-like Warning logging.
    /// </summary>
    public Dictionary<string, string> BotEnvironment(string store, string? postgresConnection, string dataDirectory)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Bot__Url"] = BotUrl.ToString().TrimEnd('/'),
            ["Bot__Engine"] = "InProcess",
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
        return environment;
    }

    public async ValueTask DisposeAsync()
    {
        await Slack.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
