using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Tests.Hosting;
using Specific.Slack.Signatures;

namespace Specific.JobsBot.Tests.Commands.Host;

/// <summary>
/// The bot's real HTTP pipeline (Program, endpoints, signature check, queue) with the engine replaced by in-memory
/// fakes and Slack's Web API by a loopback <see cref="SlackRecorder"/>. Speaks Slack: <c>SlashCommandAsync</c>,
/// <c>InteractAsync</c>.
/// </summary>
public sealed class FrontDoorApp : WebApplicationFactory<Program>
{
    public const string SigningSecret = "test-signing-secret-8f742231b10e8888";
    public const string Team = "T0TEAM";
    public const string Channel = "C0CHANNEL";

    private readonly string _scratch = Directory.CreateTempSubdirectory("frontdoor-").FullName;

    private readonly string _signingSecret;
    private readonly TimeProvider? _clock;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    /// <summary>Wraps <see cref="Logs"/> in the log store the bot sees (a slow store, say); the default is the store itself.</summary>
    public Func<ILogStore, ILogStore> LogStoreSeenByBot { get; init; } = logs => logs;

    private FrontDoorApp(
        SlackRecorder slack, string signingSecret, TimeProvider? clock, IReadOnlyDictionary<string, string?>? settings, FrontDoorApp? replicaOf)
    {
        _signingSecret = signingSecret;
        _clock = clock;
        _settings = settings ?? OpenPolicy;
        Slack = slack;
        Jobs = replicaOf?.Jobs ?? new();
        Logs = replicaOf?.Logs ?? new();
        Ledger = replicaOf?.Ledger ?? new();
        Audit = replicaOf?.Audit ?? new();
        Launcher = replicaOf?.Launcher ?? new RecordingLauncher(Jobs);
    }

    public SlackRecorder Slack { get; }
    public InMemoryJobStore Jobs { get; }
    public InMemoryLogStore Logs { get; }
    public InMemoryRequestLedger Ledger { get; }
    public InMemoryAuditLog Audit { get; }
    public InMemoryRequesterNotices Notices { get; } = new();
    public StubUserGroups Groups { get; } = new();

    /// <summary>The guardrails most tests run under: production open to everyone, without confirmation.</summary>
    public static IReadOnlyDictionary<string, string?> OpenPolicy { get; } = new Dictionary<string, string?>
    {
        ["Guardrails:Environments:production:Run:Users:0"] = "*",
        ["Guardrails:Environments:production:RequireConfirmation"] = "false",
    };
    public StubServiceCatalog Catalog { get; } = new();
    public RecordingLauncher Launcher { get; }

    /// <summary>Every log entry the bot wrote (the job and log stores above keep what it stored).</summary>
    public CapturedLogs Written { get; } = new();

    /// <summary>Redaction by values a test chooses, instead of reading Secrets from a cluster the tests do not have.</summary>
    public FixedJobRedaction Redaction { get; } = new();

    /// <summary>
    /// Starts the bot; a test may give it another signing secret, a fixed clock, its own guardrails settings (instead of
    /// <see cref="OpenPolicy"/>), or make it a second replica that shares <paramref name="replicaOf"/>'s stores, ledger
    /// and launcher (its own process memory and queue).
    /// </summary>
    public static async Task<FrontDoorApp> StartAsync(
        string signingSecret = SigningSecret,
        TimeProvider? clock = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        Func<ILogStore, ILogStore>? logStore = null,
        FrontDoorApp? replicaOf = null)
    {
        var app = new FrontDoorApp(await SlackRecorder.StartAsync(), signingSecret, clock, settings, replicaOf) { LogStoreSeenByBot = logStore ?? (logs => logs) };
        try
        {
            app.Client = app.CreateClient();
        }
        catch
        {
            // A host that failed to start (an invalid policy) still owns the recorder and the scratch folder.
            await app.Slack.DisposeAsync();
            Directory.Delete(app._scratch, recursive: true);
            throw;
        }

        return app;
    }

    public HttpClient Client { get; private set; } = null!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Slack:SigningSecret", _signingSecret);
        builder.UseSetting("Slack:BotToken", "xoxb-test");
        builder.UseSetting("Slack:ApiBaseUrl", Slack.ApiBaseUrl);
        builder.UseSetting("Storage:SqlitePath", Path.Combine(_scratch, "jobs.db"));
        builder.UseSetting("Environments:Default", "production");
        builder.UseSetting("Environments:Targets:production:Namespace", "production");
        builder.UseSetting("Environments:Targets:staging:Namespace", "staging");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Written));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IAuditLog>().AddSingleton<IAuditLog>(Audit);
            services.RemoveAll<IUserGroupMembers>().AddSingleton<IUserGroupMembers>(Groups);
            services.RemoveAll<IJobStore>().AddSingleton<IJobStore>(Jobs);
            services.RemoveAll<ILogStore>().AddSingleton(LogStoreSeenByBot(Logs));
            services.RemoveAll<IRequestLedger>().AddSingleton<IRequestLedger>(Ledger);
            services.RemoveAll<IRequesterNotices>().AddSingleton<IRequesterNotices>(Notices);
            services.RemoveAll<IJobLauncher>().AddSingleton<IJobLauncher>(Launcher);
            services.RemoveAll<IServiceCatalog>().AddSingleton<IServiceCatalog>(Catalog);
            services.RemoveAll<Specific.Jobs.Redaction.IJobRedaction>().AddSingleton<Specific.Jobs.Redaction.IJobRedaction>(Redaction);
            if (_clock is not null)
            {
                services.RemoveAll<TimeProvider>().AddSingleton(_clock);
            }
        });
    }

    /// <summary>Posts a signed slash command as Slack would, with a fresh trigger_id unless one is given, typed in <see cref="Channel"/> unless another is given.</summary>
    public Task<HttpResponseMessage> SlashCommandAsync(
        string text, string user = "U0ALICE", string? triggerId = null, string? responseUrl = null, int? retryNum = null, string channel = Channel)
    {
        var form = new Dictionary<string, string>
        {
            ["token"] = "legacy",
            ["team_id"] = Team,
            ["team_domain"] = "acme",
            ["channel_id"] = channel,
            ["channel_name"] = channel == Channel ? "ops" : channel.ToLowerInvariant(),
            ["user_id"] = user,
            ["user_name"] = user.ToLowerInvariant(),
            ["command"] = "/specific",
            ["text"] = text,
            ["response_url"] = responseUrl ?? Slack.NewResponseUrl(),
            ["trigger_id"] = triggerId ?? NewTriggerId(),
            ["api_app_id"] = "A0APP",
        };
        return PostSignedAsync("/slack/commands", Encode(form), retryNum);
    }

    /// <summary>Posts a signed interaction payload (serialized as Slack sends it: a form with one JSON field).</summary>
    public Task<HttpResponseMessage> InteractAsync(object payload, int? retryNum = null) =>
        PostSignedAsync("/slack/interactions", Encode(new Dictionary<string, string> { ["payload"] = JsonSerializer.Serialize(payload) }), retryNum);

    public async Task<HttpResponseMessage> PostSignedAsync(string path, string body, int? retryNum = null, DateTimeOffset? at = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var (timestamp, signature) = SlackSignature.Sign(_signingSecret, at ?? DateTimeOffset.UtcNow, bytes);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
        request.Headers.Add(SlackSignature.SignatureHeader, signature);
        if (retryNum is { } retry)
        {
            request.Headers.Add("X-Slack-Retry-Num", retry.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }

        return await Client.SendAsync(request);
    }

    public static string Encode(IReadOnlyDictionary<string, string> form) =>
        string.Join('&', form.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));

    public static string NewTriggerId() => $"{Random.Shared.NextInt64(1_000_000_000)}.{Random.Shared.NextInt64(1_000_000)}.{Guid.NewGuid():N}";

    /// <summary>Polls until the condition holds (the queue works after the answer), or fails the test.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > (timeout ?? TimeSpan.FromSeconds(10)))
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await base.DisposeAsync();
        await Slack.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }
}
