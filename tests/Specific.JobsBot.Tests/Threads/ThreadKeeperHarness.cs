using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;
using Specific.JobsBot.Threads;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>
/// The thread keeper's world in one place: in-memory job, log and thread stores, the real Slack stand-in over
/// loopback HTTP, and the real SlackWebClient. Keepers can be started and stopped (restarts, replicas) on the same stores.
/// </summary>
internal sealed class ThreadKeeperHarness : IAsyncDisposable
{
    public const string Channel = "C0JOBS";
    public const string User = "U0ALICE";
    private const string Token = "xoxb-thread-keeper-test";
    private const string ObserverToken = "xoxp-thread-keeper-observer";

    private readonly List<(ThreadKeeper Keeper, ServiceProvider Services)> _keepers = [];
    private readonly Action<ThreadKeeperOptions>? _configure;

    private ThreadKeeperHarness(SlackStandIn slack, Action<ThreadKeeperOptions>? configure, IThreadStore? threadStore)
    {
        Slack = slack;
        _configure = configure;
        ThreadStore = threadStore ?? Threads;
    }

    public SlackStandIn Slack { get; }
    public TimeProvider Time { get; } = TimeProvider.System;
    public InMemoryJobStore Jobs { get; private set; } = null!;
    public InMemoryLogStore Logs { get; private set; } = null!;
    public InMemoryThreadStore Threads { get; } = new();

    /// <summary>Each person's choice of a direct message after a long job, and each job's message claimed.</summary>
    public InMemoryRequesterNotices Notices { get; } = new();

    /// <summary>The thread store the keepers use: <see cref="Threads"/> unless a test brings its own.</summary>
    public IThreadStore ThreadStore { get; }

    /// <summary>The values every job is redacted by (none unless a test says so), with the real redactor.</summary>
    public FixedJobRedaction Redaction { get; } = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<ThreadKeeperHarness> StartAsync(
        SlackRateLimits? rateLimits = null, Action<ThreadKeeperOptions>? configure = null, IThreadStore? threadStore = null)
    {
        var slack = await SlackStandIn.StartAsync(new SlackStandInOptions
        {
            Url = "http://127.0.0.1:0",
            BotToken = Token,
            SigningSecret = "thread-keeper-test-secret",
            BotUrl = "http://127.0.0.1:9/",
            RateLimits = rateLimits ?? SlackRateLimits.Off,
            ObserverToken = ObserverToken,
        }, ct: Ct);
        var harness = new ThreadKeeperHarness(slack, configure, threadStore);
        harness.Jobs = new InMemoryJobStore(harness.Time);
        harness.Logs = new InMemoryLogStore(harness.Time);
        return harness;
    }

    /// <summary>Starts a keeper (a process, or a replica) with fast test timings.</summary>
    public async Task<ThreadKeeper> StartKeeperAsync(string owner)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Token,
            ["Slack:ApiBaseUrl"] = Slack.ApiBaseUrl.ToString(),
            ["Threads:ExcerptInterval"] = "00:00:00.200",
            ["Threads:LogPollInterval"] = "00:00:00.050",
            ["Threads:SweepInterval"] = "00:00:00.200",
            ["Threads:LeaseDuration"] = "00:00:03",
            ["Threads:InitialBackoff"] = "00:00:00.050",
            ["Threads:MaxBackoff"] = "00:00:00.500",
            ["Threads:ChannelPostsPerSecond"] = "50",
            ["Threads:ChannelBurst"] = "5",
            ["Threads:RunningRefreshInterval"] = "00:00:00",
            ["Threads:OwnerId"] = owner,
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton(configuration)
            .AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddSingleton<Specific.Jobs.Storage.IJobStore>(Jobs)
            .AddSingleton<Specific.Jobs.Logs.ILogStore>(Logs)
            .AddSingleton(ThreadStore)
            .AddSingleton<IRequesterNotices>(Notices)
            .AddSingleton<Specific.Jobs.Redaction.IJobRedaction>(Redaction)
            .AddSlackWebClient(configuration)
            .AddThreadKeeper(configuration);
        if (_configure is not null)
        {
            services.PostConfigure(_configure);
        }
        var provider = services.BuildServiceProvider();
        var keeper = provider.GetRequiredService<ThreadKeeper>();
        await keeper.StartAsync(Ct);
        _keepers.Add((keeper, provider));
        return keeper;
    }

    public async Task StopKeeperAsync(ThreadKeeper keeper)
    {
        var entry = _keepers.Single(k => ReferenceEquals(k.Keeper, keeper));
        _keepers.Remove(entry);
        await keeper.StopAsync(CancellationToken.None);
        keeper.Dispose();
        await entry.Services.DisposeAsync();
    }

    /// <summary>The pacer a keeper's writers share, so a test can spend its budgets as other jobs would.</summary>
    public SlackPacer PacerOf(ThreadKeeper keeper) =>
        _keepers.Single(k => ReferenceEquals(k.Keeper, keeper)).Services.GetRequiredService<SlackPacer>();

    /// <summary>A Slack client with the bot's token, for posting as the bot from a test (a writer that died).</summary>
    public async Task<PostedMessage> PostAsBotAsync(Specific.Slack.BlockKit.SlackMessage message, string? threadTs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Token,
            ["Slack:ApiBaseUrl"] = Slack.ApiBaseUrl.ToString(),
        }).Build();
        await using var services = new ServiceCollection().AddSlackWebClient(configuration).BuildServiceProvider();
        return await services.GetRequiredService<SlackWebClient>().PostMessageAsync(Channel, message, threadTs, Ct);
    }

    /// <summary>Records a job started from Slack in the test channel.</summary>
    public Task<JobRecord> CreateSlackJobAsync(string command = "echo $GREETING", string? name = null) =>
        Jobs.CreateAsync(new JobRequest("web", "production", command, name, new JobOrigin(JobOrigin.Slack, "T0SANDBOX", Channel, User, "alice")), Ct);

    /// <summary>The bot's messages in its direct messages (chat.postMessage to a user id lands in one).</summary>
    public IReadOnlyList<StandInMessage> DirectMessages() =>
        [.. Slack.Channels.Where(c => c.Kind == ChannelKind.DirectMessage).SelectMany(c => Slack.ChannelMessages(c.Id))];

    /// <summary>The bot's top-level messages in the test channel.</summary>
    public IReadOnlyList<StandInMessage> Messages() => Slack.ChannelMessages(Channel).Where(m => m.BotId is not null).ToList();

    /// <summary>The replies under a job's message (without the message itself).</summary>
    public IReadOnlyList<StandInMessage> Replies(string messageTs) =>
        Slack.ThreadReplies(Channel, messageTs).Where(m => m.Ts != messageTs).ToList();

    /// <summary>
    /// The replies under a job's message as Slack's conversations.replies returns them (read with an observer token),
    /// each as every string in it (text, blocks, files) on one line after another.
    /// </summary>
    public async Task<IReadOnlyList<string>> RepliesOverApiAsync(string messageTs)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Slack.ApiBaseUrl, "conversations.replies"))
        {
            Content = new FormUrlEncodedContent([new("channel", Channel), new("ts", messageTs), new("limit", "999")]),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ObserverToken);
        using var response = await http.SendAsync(request, Ct);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.True(body.RootElement.GetProperty("ok").GetBoolean(), body.RootElement.GetRawText());
        return [.. body.RootElement.GetProperty("messages").EnumerateArray()
            .Where(message => message.GetProperty("ts").GetString() != messageTs)
            .Select(message => string.Join("\n", Strings(message)))];
    }

    private static IEnumerable<string> Strings(System.Text.Json.JsonElement element) => element.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => [element.GetString()!],
        System.Text.Json.JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        System.Text.Json.JsonValueKind.Object => element.EnumerateObject().SelectMany(property => Strings(property.Value)),
        _ => [],
    };

    public async Task<JobThread> WaitForThreadAsync(string jobId, Func<JobThread, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (await ThreadStore.GetAsync(jobId, Ct) is { } thread && done(thread))
            {
                return thread;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                var current = await ThreadStore.GetAsync(jobId, Ct);
                Assert.Fail($"The thread of {jobId} did not get there in time; it is at {current}.");
            }
            await Task.Delay(25, Ct);
        }
    }

    public Task<JobThread> WaitForFinalAsync(string jobId, TimeSpan? timeout = null) =>
        WaitForThreadAsync(jobId, thread => thread.FinalPosted, timeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var (keeper, _) in _keepers.ToList())
        {
            await StopKeeperAsync(keeper);
        }
        await Slack.DisposeAsync();
    }
}
