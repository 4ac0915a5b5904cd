using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.JobsBot.Tests.Shipping;
using Specific.Sandbox.ClusterSimulator;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.Signatures;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>
/// The whole bot role as Program composes it (real storage, the in-process engine, real health checks and telemetry)
/// against the Slack stand-in and, when asked, the cluster simulator over loopback HTTP. Speaks operations:
/// <c>ReadyAsync</c>, <c>MetricsAsync</c>, and Slack: <c>SlashCommandAsync</c>.
/// </summary>
public sealed class OpsApp : WebApplicationFactory<Program>
{
    public const string SigningSecret = "ops-test-signing-secret-5d1c";
    public const string BotToken = "xoxb-ops-test";
    public const string Channel = "C0OPS";

    private readonly string _scratch = Directory.CreateTempSubdirectory("ops-").FullName;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private OpsApp(SlackStandIn slack, ClusterSimulator? cluster, IReadOnlyDictionary<string, string?> settings)
    {
        Slack = slack;
        Cluster = cluster;
        _settings = settings;
    }

    public SlackStandIn Slack { get; }
    public ClusterSimulator? Cluster { get; }

    /// <summary>Every log entry the bot wrote, with the scope properties it was written in.</summary>
    public CapturedLogs Logs { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Starts the bot. <paramref name="standInToken"/> is the token the stand-in accepts (another one makes auth.test
    /// answer invalid_auth); <paramref name="settings"/> override the defaults (SQLite in a scratch folder, in-process engine).
    /// </summary>
    public static async Task<OpsApp> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, string standInToken = BotToken, bool withCluster = false)
    {
        var slack = await SlackStandIn.StartAsync(
            new SlackStandInOptions
            {
                Url = "http://127.0.0.1:0",
                SigningSecret = SigningSecret,
                BotToken = standInToken,
                BotUrl = "http://127.0.0.1:9/",
                RateLimits = SlackRateLimits.Off,
            },
            ct: Ct);
        ClusterSimulator? cluster = null;
        if (withCluster)
        {
            var options = new ClusterSimulatorOptions { Url = "http://127.0.0.1:0" };
            options.ManifestPaths.Add(RepositoryFiles.PathOf("sandbox", "cluster.yaml"));
            cluster = await ClusterSimulator.StartAsync(options, cancellationToken: Ct);
        }

        var app = new OpsApp(slack, cluster, settings ?? new Dictionary<string, string?>());
        app.Client = app.CreateClient();
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["Slack:SigningSecret"] = SigningSecret,
            ["Slack:BotToken"] = BotToken,
            ["Slack:ApiBaseUrl"] = Slack.ApiBaseUrl.ToString(),
            ["Storage:Provider"] = "sqlite",
            ["Storage:SqlitePath"] = Path.Combine(_scratch, "jobs.db"),
            ["Bot:Engine"] = "InProcess",
            // Nothing listens there unless the cluster simulator runs: the catalog warm-up fails fast and only logs.
            ["Kubernetes:Host"] = Cluster?.BaseUrl.ToString().TrimEnd('/') ?? "http://127.0.0.1:9",
            ["Environments:Default"] = "production",
            ["Environments:Targets:production:Namespace"] = "production",
            // Production is closed until a policy opens it; these tests run jobs there without confirmation.
            ["Guardrails:Environments:production:Run:Users:0"] = "*",
            ["Guardrails:Environments:production:RequireConfirmation"] = "false",
            ["Threads:SweepInterval"] = "00:00:00.500",
            ["Threads:ExcerptInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in _settings)
        {
            defaults[key] = value;
        }

        foreach (var (key, value) in defaults)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    /// <summary>GET /readyz: the status code and the JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> ReadyAsync()
    {
        using var response = await Client.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
        return ((int)response.StatusCode, body);
    }

    /// <summary>GET /metrics in the Prometheus text format.</summary>
    public async Task<string> MetricsAsync()
    {
        if (TestContext.Current.TestCollection?.TestCollectionClassName != typeof(MetricsCollection).FullName)
        {
            throw new InvalidOperationException(
                $"A test that scrapes /metrics must be in [Collection(MetricsCollection.Name)]: beside other hosts its counts are not its own (see {nameof(MetricsCollection)}).");
        }

        using var response = await Client.GetAsync(new Uri("/metrics", UriKind.Relative), Ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>Posts a signed slash command as Slack would.</summary>
    public async Task<HttpResponseMessage> SlashCommandAsync(string text)
    {
        var form = FrontDoorApp.Encode(new Dictionary<string, string>
        {
            ["team_id"] = "T0SANDBOX",
            ["team_domain"] = "sandbox",
            ["channel_id"] = Channel,
            ["channel_name"] = "ops",
            ["user_id"] = "U0ALICE",
            ["user_name"] = "alice",
            ["command"] = "/specific",
            ["text"] = text,
            ["response_url"] = new Uri(Slack.BaseUrl, "ops-response/" + Guid.NewGuid().ToString("N")).ToString(),
            ["trigger_id"] = FrontDoorApp.NewTriggerId(),
            ["api_app_id"] = "A0SANDBOX",
        });
        var bytes = Encoding.UTF8.GetBytes(form);
        var (timestamp, signature) = SlackSignature.Sign(SigningSecret, DateTimeOffset.UtcNow, bytes);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/slack/commands", UriKind.Relative)) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
        request.Headers.Add(SlackSignature.SignatureHeader, signature);
        return await Client.SendAsync(request, Ct);
    }

    /// <summary>The value of one Prometheus sample whose name and labels match, or null when there is none.</summary>
    public static double? Sample(string metrics, string name, params string[] labels)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    public override async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await base.DisposeAsync();
        await Slack.DisposeAsync();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        Directory.Delete(_scratch, recursive: true);
    }
}

/// <summary>A logger provider that keeps every entry with the properties of the scopes it was written in.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedEntry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedEntry> Entries => _entries.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope(
                (scope, into) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            into[key] = value;
                        }
                    }
                },
                properties);
            owner._entries.Enqueue(new CapturedEntry(category, logLevel, formatter(state, exception), properties));
        }
    }
}

/// <summary>One captured log entry and the scope properties around it.</summary>
public sealed record CapturedEntry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Scopes);
