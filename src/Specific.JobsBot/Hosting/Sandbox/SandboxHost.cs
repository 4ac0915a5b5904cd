using System.Security.Cryptography;
using Specific.Sandbox.ClusterSimulator;
using Specific.Sandbox.SlackStandIn;
using Specific.Sandbox.TemporalStandIn;
using Specific.JobsBot.FrontDoor;

using Specific.JobsBot.Runs;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.Hosting;

/// <summary>Where the sandbox's stand-ins listen and what the cluster loads. Bound from "Sandbox".</summary>
public sealed record SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Sandbox:SlackUrl, the Slack stand-in: its page at "/" and the Web API at "/api/".</summary>
    public string SlackUrl { get; init; } = "http://127.0.0.1:3001";

    /// <summary>Sandbox:ClusterUrl, the cluster simulator's Kubernetes API.</summary>
    public string ClusterUrl { get; init; } = "http://127.0.0.1:3002";

    /// <summary>Sandbox:TemporalUrl, the Temporal frontend stand-in (gRPC over HTTP/2) that the sandbox's worker polls.</summary>
    public string TemporalUrl { get; init; } = "http://127.0.0.1:7233";

    /// <summary>Sandbox:ClusterManifests, comma-separated YAML files; by default sandbox/cluster.yaml above the content root.</summary>
    public string? ClusterManifests { get; init; }

    /// <summary>Sandbox:SocketMode (or <c>--socket-mode</c>): the stand-in delivers over Socket Mode instead of posting to the bot.</summary>
    public bool SocketMode { get; init; }

    /// <summary>Sandbox:UserGroups, the stand-in workspace's user groups: group id (S…) to member ids.</summary>
    public Dictionary<string, List<string>> UserGroups { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The <c>--sandbox</c> role's offline world: starts the cluster simulator and the Slack stand-in before the bot is
/// built, then points the bot's configuration at them (Slack API, Kubernetes host, SQLite under .sandbox/).
/// </summary>
public sealed class SandboxHost : IBotSandbox
{
    /// <summary>The first thing a newcomer types on the sandbox page.</summary>
    public const string FirstCommand = "/specific task run web greet";

    /// <summary>With <c>--sandbox</c>: Slack's deliveries come over Socket Mode (the stand-in's WebSocket), not HTTP.</summary>
    public const string SocketModeFlag = "--socket-mode";

    /// <summary>Where the sandbox shows its Temporal workflows and their histories, as the Temporal UI would (JSON).</summary>
    public const string WorkflowsPath = "/sandbox/temporal/workflows";

    private SandboxHost(ClusterSimulator cluster, SlackStandIn slack, TemporalStandIn temporal, string botUrl, string signingSecret, string botToken, string? appToken)
    {
        Cluster = cluster;
        Slack = slack;
        Temporal = temporal;
        BotUrl = botUrl;
        SigningSecret = signingSecret;
        BotToken = botToken;
        AppToken = appToken;
    }

    public ClusterSimulator Cluster { get; }
    public SlackStandIn Slack { get; }
    public TemporalStandIn Temporal { get; }
    public string BotUrl { get; }
    public string SigningSecret { get; }
    public string BotToken { get; }

    /// <summary>The app-level token the bot opens Socket Mode connections with, or null when Slack posts over HTTP.</summary>
    public string? AppToken { get; }

    /// <param name="args">The command line: <see cref="SocketModeFlag"/> turns Socket Mode on, as Sandbox__SocketMode=true does.</param>
    public static async Task<SandboxHost> StartAsync(WebApplicationBuilder builder, IReadOnlyList<string>? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (!configuration.GetSection("Guardrails").GetChildren().Any() && ExamplePolicyPath(builder.Environment.ContentRootPath) is { } example)
        {
            // The example policy (and the workspace's user groups it names) applies only when no guardrails are configured.
            configuration.AddJsonFile(example, optional: false, reloadOnChange: false);
        }

        var options = configuration.GetSection(SandboxOptions.Section).Get<SandboxOptions>() ?? new SandboxOptions();
        var botUrl = configuration[$"{BotOptions.Section}:{nameof(BotOptions.Url)}"] ?? BotOptions.DefaultUrl;
        // Made up when unset and printed, so a client outside the process can sign requests and call the Web API.
        var signingSecret = configuration["Slack:SigningSecret"] is { Length: > 0 } secret ? secret : RandomNumberGenerator.GetHexString(32, lowercase: true);
        var botToken = configuration["Slack:BotToken"] is { Length: > 0 } token ? token : "xoxb-sandbox-" + RandomNumberGenerator.GetHexString(24, lowercase: true);
        var socketMode = options.SocketMode || (args?.Contains(SocketModeFlag, StringComparer.Ordinal) ?? false) || SocketModeComposition.IsOn(configuration);
        string? appToken = !socketMode ? null
            : configuration[SocketModeComposition.AppTokenKey] is { Length: > 0 } given ? given
            : "xapp-1-sandbox-" + RandomNumberGenerator.GetHexString(24, lowercase: true);

        var simulatorOptions = new ClusterSimulatorOptions { Url = options.ClusterUrl };
        foreach (var manifest in ManifestPaths(options, builder.Environment.ContentRootPath))
        {
            simulatorOptions.ManifestPaths.Add(manifest);
        }

        var cluster = await ClusterSimulator.StartAsync(simulatorOptions, cancellationToken: cancellationToken);
        SlackStandIn slack;
        TemporalStandIn temporal;
        try
        {
            temporal = await TemporalStandIn.StartAsync(new TemporalStandInOptions { Url = options.TemporalUrl }, ct: cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        try
        {
            var standIn = new SlackStandInOptions
            {
                Url = options.SlackUrl, SigningSecret = signingSecret, BotToken = botToken, BotUrl = botUrl, AppToken = appToken ?? "",
                // As slack-app.yml declares it (a test holds the two together).
                GlobalShortcuts = [new StandInShortcut(JobModal.ShortcutName, JobModal.ShortcutCallbackId, JobModal.ShortcutDescription)],
                HomeTabEnabled = true,
                BotEvents = [AppHomeOpenedEvent.EventType],
                EventsPath = SlackFrontDoor.EventsPath.TrimStart('/'),
            };
            foreach (var (group, members) in options.UserGroups)
            {
                standIn.UserGroups[group] = [.. members];
            }

            slack = await SlackStandIn.StartAsync(standIn, ct: cancellationToken);
        }
        catch
        {
            await temporal.DisposeAsync();
            await cluster.DisposeAsync();
            throw;
        }

        var sandboxDirectory = Path.Combine(builder.Environment.ContentRootPath, ".sandbox");
        Directory.CreateDirectory(sandboxDirectory);
        var settings = new Dictionary<string, string?>
        {
            ["Slack:SigningSecret"] = signingSecret,
            ["Slack:BotToken"] = botToken,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Kubernetes:Host"] = cluster.BaseUrl.ToString().TrimEnd('/'),
            ["Temporal:Address"] = temporal.TargetHost,
            ["Temporal:Namespace"] = TemporalStandIn.Namespace,
        };
        if (appToken is not null)
        {
            settings[SocketModeComposition.AppTokenKey] = appToken;
        }

        SetWhenUnset(configuration, settings, "Storage:Provider", "sqlite");
        SetWhenUnset(configuration, settings, "Storage:SqlitePath", Path.Combine(sandboxDirectory, "jobs.db"));
        if (!configuration.GetSection("Environments:Targets").GetChildren().Any())
        {
            settings["Environments:Default"] = "production";
            settings["Environments:Targets:production:Namespace"] = "production";
            settings["Environments:Targets:staging:Namespace"] = "staging";
            // Example time limits: a forgotten job in staging stops after 10 minutes; production allows long backfills.
            settings["Environments:Targets:production:Timeout:Default"] = "01:00:00";
            settings["Environments:Targets:production:Timeout:Max"] = "06:00:00";
            settings["Environments:Targets:staging:Timeout:Default"] = "00:10:00";
            settings["Environments:Targets:staging:Timeout:Max"] = "02:00:00";
        }

        configuration.AddInMemoryCollection(settings);
        return new SandboxHost(cluster, slack, temporal, botUrl, signingSecret, botToken, appToken);
    }

    /// <summary>Where each part listens, the shared credentials, and the one line to type first.</summary>
    public string Welcome() => string.Join(Environment.NewLine,
        "",
        "Specific Jobs sandbox: everything runs in this process, offline.",
        $"  Slack (open this)   {Slack.BaseUrl}",
        $"  Slack Web API       {Slack.ApiBaseUrl}",
        AppToken is null
            ? $"  Bot                 {BotUrl.TrimEnd('/')}/slack/commands, /slack/interactions, /healthz"
            : $"  Bot                 Socket Mode: connects to the stand-in with the app token below ({BotUrl.TrimEnd('/')}/healthz)",
        $"  Kubernetes API      {Cluster.BaseUrl}   (kubectl --server {Cluster.BaseUrl.ToString().TrimEnd('/')} get deployments,jobs,pods -A)",
        $"  Temporal            {Temporal.TargetHost}   (namespace {TemporalStandIn.Namespace}; each job is the workflow job-<job id>; histories at {BotUrl.TrimEnd('/')}{WorkflowsPath})",
        $"  Signing secret      {SigningSecret}",
        $"  Bot token           {BotToken}",
        AppToken is null ? "  Socket Mode         off (add --socket-mode to receive Slack over a WebSocket)" : $"  App token           {AppToken}",
        "",
        $"Type this at {Slack.BaseUrl} :  {FirstCommand}",
        "Guardrails: production asks you to confirm each job by typing the service name; switch the page to alice to see a refusal.",
        "");

    /// <summary>The sandbox's example guardrails policy, appsettings.Sandbox.json beside the content or the binaries.</summary>
    public static string? ExamplePolicyPath(string contentRoot) =>
        new[] { contentRoot, AppContext.BaseDirectory }
            .Select(directory => Path.Combine(directory, ExamplePolicyFile))
            .FirstOrDefault(File.Exists);

    /// <summary>The file that holds the sandbox's example policy.</summary>
    public const string ExamplePolicyFile = "appsettings.Sandbox.json";

    /// <summary>The manifests named by Sandbox:ClusterManifests, or sandbox/cluster.yaml found above the content root.</summary>
    public static IReadOnlyList<string> ManifestPaths(SandboxOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.ClusterManifests))
        {
            return options.ClusterManifests.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(path => Path.GetFullPath(path, contentRoot))
                .ToList();
        }

        foreach (var start in new[] { contentRoot, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "sandbox", "cluster.yaml");
                if (File.Exists(candidate))
                {
                    return [candidate];
                }
            }
        }

        throw new FileNotFoundException(
            "The sandbox needs a cluster to load: no sandbox/cluster.yaml above " + contentRoot + ". Set Sandbox__ClusterManifests to YAML files.");
    }

    private static void SetWhenUnset(IConfiguration configuration, Dictionary<string, string?> settings, string key, string value)
    {
        if (string.IsNullOrEmpty(configuration[key]))
        {
            settings[key] = value;
        }
    }

    /// <summary>GET <see cref="WorkflowsPath"/>: the stand-in's workflows, newest first, each with its history; <c>?id=job-…</c> picks one.</summary>
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(WorkflowsPath, (string? id) =>
            Results.Json(Temporal.Workflows().Where(workflow => id is null || workflow.WorkflowId == id)));
    }

    public async ValueTask DisposeAsync()
    {
        await Slack.DisposeAsync();
        await Temporal.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
