using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.Sandbox.ClusterSimulator;
using Specific.Sandbox.SlackStandIn;
using Specific.Sandbox.TemporalStandIn;

namespace Specific.EndToEnd.Tests.Host;

/// <summary>A job as a person sees it in Slack: its message in a channel, and the job id the message names.</summary>
public sealed record JobHandle(string ChannelId, string Ts, string Id);

/// <summary>How the sandbox's jobs run: the RunJob workflow on a worker process and the Temporal stand-in, or in the bot.</summary>
public enum SandboxEngine
{
    Temporal,
    InProcess,
}

/// <summary>
/// The offline world over real protocols: the cluster simulator, the Slack stand-in and the Temporal stand-in in this
/// process on free ports, the bot as a separate process and, on Temporal, the worker as another (SQLite in a temp dir,
/// shared by both), each of which can be killed and started again. Speaks the domain: slash commands, buttons, modals,
/// the job message and its thread.
/// </summary>
public sealed partial class JobsSandbox : IAsyncDisposable
{
    /// <summary>The person who types the commands (the sandbox page's default user).</summary>
    public const string UserId = "U0SANDBOX";

    /// <summary>The callback_id of the app's global shortcut, as slack-app.yml declares it.</summary>
    public const string RunAJobShortcut = "run_a_job";

    /// <summary>How long a job may take to reach a state before the test fails.</summary>
    public static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(20);

    private static readonly string[] States = ["pending", "queued", "running", "succeeded", "failed", "cancelled"];
    private static readonly string[] FinalStates = ["succeeded", "failed", "cancelled"];

    private readonly string _dataDirectory;

    private JobsSandbox(
        ClusterSimulator cluster, SlackStandIn slack, TemporalStandIn? temporal, BotProcess bot, BotProcess? worker, string channelId, string dataDirectory)
    {
        Cluster = cluster;
        Slack = slack;
        Temporal = temporal;
        Bot = bot;
        Worker = worker;
        ChannelId = channelId;
        _dataDirectory = dataDirectory;
    }

    public ClusterSimulator Cluster { get; }

    public SlackStandIn Slack { get; }

    public BotProcess Bot { get; }

    /// <summary>The Temporal frontend stand-in, on the Temporal engine.</summary>
    public TemporalStandIn? Temporal { get; }

    /// <summary>The worker role's process (the RunJob workflow and its activities), on the Temporal engine.</summary>
    public BotProcess? Worker { get; }

    /// <summary>The channel this sandbox's commands are typed in.</summary>
    public string ChannelId { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Starts the simulator (sandbox/cluster.yaml), the stand-in and the bot; <paramref name="botSettings"/> adds or
    /// overrides the bot's configuration. With <paramref name="socketMode"/>, the app has Socket Mode on: the bot gets an
    /// app-level token and receives everything over the stand-in's WebSocket, and a quick reconnect backoff.
    /// </summary>
    public static async Task<JobsSandbox> StartAsync(
        IReadOnlyDictionary<string, string>? botSettings = null,
        string channelId = "C0E2E",
        TimeSpan? ackDeadline = null,
        bool socketMode = false,
        SandboxEngine engine = SandboxEngine.Temporal)
    {
        var appToken = socketMode ? "xapp-1-e2e-" + RandomNumberGenerator.GetHexString(24, lowercase: true) : "";
        var dataDirectory = Directory.CreateTempSubdirectory("jobsbot-e2e-").FullName;
        var signingSecret = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var botToken = "xoxb-e2e-" + RandomNumberGenerator.GetHexString(24, lowercase: true);
        var botUrl = new Uri($"http://127.0.0.1:{BotProcess.FreePort()}");

        var simulatorOptions = new ClusterSimulatorOptions { Url = "http://127.0.0.1:0" };
        simulatorOptions.ManifestPaths.Add(ClusterManifest());
        var cluster = await ClusterSimulator.StartAsync(simulatorOptions, cancellationToken: Ct);
        var slack = await SlackStandIn.StartAsync(
            new SlackStandInOptions
            {
                Url = "http://127.0.0.1:0",
                SigningSecret = signingSecret,
                BotToken = botToken,
                BotUrl = botUrl.ToString().TrimEnd('/'),
                AckDeadline = ackDeadline ?? TimeSpan.FromSeconds(3),
                AppToken = appToken,
                // Slack retries at once, then after 1 and 5 minutes; a test has no 5 minutes.
                SocketModeRetryDelays = [TimeSpan.Zero, TimeSpan.FromSeconds(1)],
                // As slack-app.yml declares it.
                GlobalShortcuts = [new StandInShortcut("Run a job", RunAJobShortcut, "Run a one-off job against a deployed service")],
                HomeTabEnabled = true,
                BotEvents = ["app_home_opened"],
            },
            ct: Ct);

        var temporal = engine == SandboxEngine.Temporal
            ? await TemporalStandIn.StartAsync(new TemporalStandInOptions { Url = "http://127.0.0.1:0" }, ct: Ct)
            : null;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Bot__Url"] = botUrl.ToString().TrimEnd('/'),
            ["Bot__Engine"] = engine.ToString(),
            ["Slack__SigningSecret"] = signingSecret,
            ["Slack__BotToken"] = botToken,
            ["Slack__ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Kubernetes__Host"] = cluster.BaseUrl.ToString().TrimEnd('/'),
            ["Storage__Provider"] = "sqlite",
            ["Storage__SqlitePath"] = Path.Combine(dataDirectory, "jobs.db"),
            ["Environments__Default"] = "production",
            ["Environments__Targets__production__Namespace"] = "production",
            ["Environments__Targets__staging__Namespace"] = "staging",
            // Production is closed until a policy opens it; these tests are about jobs, so it is open and unconfirmed (GuardrailsTests override it).
            ["Guardrails__Environments__production__Run__Users__0"] = "*",
            ["Guardrails__Environments__production__RequireConfirmation"] = "false",
            // A restarted bot is a new lease owner: short leases and sweeps let it take over the dead one's threads quickly.
            ["Threads__LeaseDuration"] = "00:00:06",
            ["Threads__SweepInterval"] = "00:00:01",
            ["Threads__ExcerptInterval"] = "00:00:01",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Specific"] = "Debug",
            ["Logging__Console__FormatterName"] = "simple",
            ["DOTNET_NOLOGO"] = "1",
        };
        if (socketMode)
        {
            environment["Slack__AppToken"] = appToken;
            environment["Slack__SocketMode__ReconnectBaseDelay"] = "00:00:00.2";
            environment["Slack__SocketMode__ReconnectMaxDelay"] = "00:00:02";
        }

        foreach (var (key, value) in botSettings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        if (temporal is not null)
        {
            environment["Temporal__Address"] = temporal.TargetHost;
        }

        var bot = new BotProcess(botUrl, environment);
        var workerUrl = new Uri($"http://127.0.0.1:{BotProcess.FreePort()}");
        var worker = temporal is null ? null : new BotProcess(
            workerUrl,
            new Dictionary<string, string>(environment, StringComparer.Ordinal) { ["Bot__Url"] = workerUrl.ToString().TrimEnd('/') },
            ["worker"]);

        var sandbox = new JobsSandbox(cluster, slack, temporal, bot, worker, channelId, dataDirectory);
        try
        {
            if (worker is not null)
            {
                await worker.StartAsync(Ct);
            }

            await bot.StartAsync(Ct);
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
        return sandbox;
    }

    /// <summary>Types <c>/specific {text}</c> (as <paramref name="userId"/>, the sandbox user unless given) and returns the job whose message then appears in the channel.</summary>
    public async Task<JobHandle> SlashCommand(string text, string userId = UserId)
    {
        var before = MessagesNow();
        var result = await Slack.RunSlashCommandAsync(userId, ChannelId, text, Ct);
        Assert.True(result.Error is null && !result.MissedDeadline,
            $"/specific {text} was not acknowledged: status {result.StatusCode}, error {result.Error}, after {result.Elapsed.TotalMilliseconds:N0} ms, body {result.Body}\n{Bot.RecentOutput}");
        return await WaitForNewJob(before, $"/specific {text}");
    }

    /// <summary>
    /// Posts <c>/specific {text}</c> straight to the bot as Slack would, with a chosen trigger_id and, for a retry,
    /// X-Slack-Retry-Num; returns the HTTP status and body. Waits for no job.
    /// </summary>
    public async Task<(int Status, string Body)> PostSlashCommand(string text, string triggerId, int? retryNum = null)
    {
        var form = new Dictionary<string, string>
        {
            ["team_id"] = Slack.Options.TeamId, ["team_domain"] = Slack.Options.TeamDomain, ["channel_id"] = ChannelId, ["channel_name"] = "e2e",
            ["user_id"] = UserId, ["user_name"] = "sandbox", ["command"] = Slack.Options.Command, ["text"] = text,
            ["response_url"] = new Uri(Slack.BaseUrl, "response-url/e2e/" + triggerId).ToString(), ["trigger_id"] = triggerId,
            ["api_app_id"] = Slack.Options.ApiAppId,
        };
        var body = Encoding.UTF8.GetBytes(string.Join('&', form.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value))));
        var (timestamp, signature) = Specific.Slack.Signatures.SlackSignature.Sign(Slack.Options.SigningSecret, DateTimeOffset.UtcNow, body);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Bot.Url, "/slack/commands")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        request.Headers.Add(Specific.Slack.Signatures.SlackSignature.TimestampHeader, timestamp);
        request.Headers.Add(Specific.Slack.Signatures.SlackSignature.SignatureHeader, signature);
        if (retryNum is { } retry)
        {
            request.Headers.Add("X-Slack-Retry-Num", retry.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }
        using var response = await http.SendAsync(request, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>
    /// Types <c>/specific {text}</c> and returns what only the person sees in answer; as <paramref name="userId"/> in
    /// <paramref name="channelId"/> when given, else as the sandbox user in this sandbox's channel.
    /// </summary>
    public async Task<StandInEphemeral> EphemeralAnswerTo(string text, string userId = UserId, string? channelId = null)
    {
        channelId ??= ChannelId;
        var result = await Slack.RunSlashCommandAsync(userId, channelId, text, Ct);
        Assert.True(result.Error is null && !result.MissedDeadline,
            $"/specific {text} was not acknowledged: status {result.StatusCode}, error {result.Error}, body {result.Body}");
        if (result.EphemeralReply is { } reply)
        {
            return reply;
        }
        // Answered later through response_url.
        return await Eventually(() => Slack.Ephemerals(userId).LastOrDefault(e => e.ChannelId == channelId),
            TimeSpan.FromSeconds(5), () => $"No ephemeral answer to /specific {text}; the HTTP answer was {result.StatusCode} {result.Body}");
    }

    /// <summary>The job's message as the channel shows it now.</summary>
    public StandInMessage MessageOf(JobHandle job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Slack.ChannelMessages(job.ChannelId).Single(m => m.Ts == job.Ts);
    }

    /// <summary>The replies in the job's thread, oldest first (the parent left out).</summary>
    public IReadOnlyList<StandInMessage> ThreadOf(JobHandle job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return MessageOf(job).ReplyCount == 0 ? [] : Slack.ThreadReplies(job.ChannelId, job.Ts).Where(m => m.IsReply).ToList();
    }

    /// <summary>The state the job message shows ("running", "succeeded", …), read from its text fallback.</summary>
    /// <summary>The job as the bot's store holds it, read from the SQLite file while the bot goes on using it.</summary>
    public async Task<JobRecord?> StoredJobAsync(JobHandle job)
    {
        using var store = new SqliteJobStore(Path.Combine(_dataDirectory, "jobs.db"), TimeProvider.System);
        return await store.GetAsync(job.Id, Ct);
    }

    public string StateOf(JobHandle job) => StateIn(MessageOf(job).Text) ?? "(unknown)";

    /// <summary>Waits until the job message shows <paramref name="state"/>; fails at once when it ends in another final state.</summary>
    public async Task<StandInMessage> WaitForState(JobHandle job, string state, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        Assert.Contains(state, States);
        var timeout = within ?? StateTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var shown = StateOf(job);
            if (shown == state)
            {
                return MessageOf(job);
            }
            if (FinalStates.Contains(shown) || clock.Elapsed > timeout)
            {
                Assert.Fail($"Job {job.Id} should be {state} but its message shows {shown} after {clock.Elapsed.TotalSeconds:N1} s.\n{Describe(job)}");
            }
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>Waits until the thread has its final reply (the outcome and the exit code or reason), and the full log file when it promises one.</summary>
    public Task<IReadOnlyList<StandInMessage>> WaitForFinalReply(JobHandle job, TimeSpan? within = null) =>
        Eventually(
            () => ThreadOf(job) is { Count: > 0 } replies && replies.LastOrDefault(IsFinalReply) is { } final && FileArrivedIfPromised(replies, final) ? replies : null,
            within ?? StateTimeout,
            () => $"The thread of {job.Id} never got its final reply.\n{Describe(job)}");

    /// <summary>True unless the final reply says the full log follows as a file and no file came after it yet.</summary>
    private static bool FileArrivedIfPromised(IReadOnlyList<StandInMessage> replies, StandInMessage final) =>
        !final.VisibleText.Contains("follows as a file", StringComparison.Ordinal)
        || replies.SkipWhile(r => !ReferenceEquals(r, final)).Skip(1).Any(r => r.Files.Count > 0);

    /// <summary>The person clicks Cancel on the job message (and confirms the dialog).</summary>
    public Task<InteractionResult> ClickCancel(JobHandle job) => Click(job, "cancel");

    /// <summary>The person clicks Full log on the ended job's message.</summary>
    public Task<InteractionResult> ClickFullLog(JobHandle job) => Click(job, "full_log");

    /// <summary>The person clicks Re-run; returns the modal the bot opens.</summary>
    public async Task<StandInView> ClickRerun(JobHandle job)
    {
        await Click(job, "rerun");
        return await Eventually(() => Slack.OpenView(UserId), TimeSpan.FromSeconds(5),
            () => $"Re-run opened no modal.\n{Describe(job)}");
    }

    /// <summary>The person presses the modal's submit button, leaving every field as it was filled in; returns the new job.</summary>
    public async Task<JobHandle> SubmitModal(StandInView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var before = MessagesNow();
        var result = await Slack.SubmitViewAsync(UserId, view.Id, FilledIn(view), Ct);
        Assert.True(result.Error is null && !result.MissedDeadline && result.Errors.Count == 0,
            $"The modal was not accepted: status {result.StatusCode}, error {result.Error}, field errors {string.Join("; ", result.Errors)}, body {result.Body}");
        Assert.Null(Slack.OpenView(UserId));
        return await WaitForNewJob(before, "the modal's submission");
    }

    /// <summary>What each input of a modal holds as it opened: block id → action id → value.</summary>
    public static Dictionary<string, IReadOnlyDictionary<string, string>> FilledIn(StandInView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var values = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var block in view.View.GetProperty("blocks").EnumerateArray())
        {
            if (block.GetProperty("type").GetString() != "input" || !block.TryGetProperty("element", out var element))
            {
                continue;
            }
            var value = element.TryGetProperty("initial_value", out var initial) ? initial.GetString()
                : element.TryGetProperty("initial_option", out var option) ? option.GetProperty("value").GetString()
                : null;
            if (value is not null)
            {
                values[block.GetProperty("block_id").GetString()!] = new Dictionary<string, string> { [element.GetProperty("action_id").GetString()!] = value };
            }
        }
        return values;
    }

    /// <summary>The Kubernetes API of the simulator through the real KubernetesClient.</summary>
    public IKubernetes KubernetesClient() => new Kubernetes(new KubernetesClientConfiguration { Host = Cluster.BaseUrl.ToString().TrimEnd('/') });

    /// <summary>The Kubernetes Job the message names ("Kubernetes Job `ns/name`"), or null before it has one.</summary>
    public (string Namespace, string Name)? KubernetesJobOf(JobHandle job)
    {
        var match = KubernetesJobPattern().Match(IdentityOf(MessageOf(job)));
        return match.Success ? (match.Groups["ns"].Value, match.Groups["name"].Value) : null;
    }

    /// <summary>The bot is SIGKILLed.</summary>
    public Task KillBot() => Bot.KillAsync();

    /// <summary>The bot starts again with the same configuration and database.</summary>
    public Task RestartBot() => Bot.StartAsync(Ct);

    /// <summary>The worker process is SIGKILLed, mid-activity if one runs: Temporal must notice by the heartbeat timeout.</summary>
    public Task KillWorker() => (Worker ?? throw new InvalidOperationException("This sandbox runs jobs in process.")).KillAsync();

    /// <summary>A new worker process starts polling the same task queue.</summary>
    public Task RestartWorker() => (Worker ?? throw new InvalidOperationException("This sandbox runs jobs in process.")).StartAsync(Ct);

    /// <summary>The job's workflow as the Temporal stand-in holds it (the Temporal engine only).</summary>
    public StandInWorkflow? WorkflowOf(JobHandle job) =>
        Temporal?.Workflows().FirstOrDefault(workflow => workflow.WorkflowId == "job-" + job.Id);

    /// <summary>Everything a person could see about the job, plus the bot's last log lines: the failure message of every wait.</summary>
    public string Describe(JobHandle job)
    {
        var text = new StringBuilder();
        text.AppendLine($"Channel {job.ChannelId}:");
        foreach (var message in Slack.ChannelMessages(job.ChannelId))
        {
            text.AppendLine($"  [{message.Ts}] {OneLine(message.VisibleText)}");
        }
        text.AppendLine($"Thread of {job.Ts}:");
        foreach (var reply in Slack.ChannelMessages(job.ChannelId).Any(m => m.Ts == job.Ts) ? ThreadOf(job) : [])
        {
            text.AppendLine($"  [{reply.Ts}] {OneLine(reply.VisibleText)}");
        }
        text.AppendLine("Web API calls that failed: " + string.Join(", ", Slack.Calls.Where(c => !c.Ok).Select(c => $"{c.Method}:{c.StatusCode}:{c.Error}").TakeLast(20)));
        if (WorkflowOf(job) is { } workflow)
        {
            text.AppendLine($"Workflow {workflow.WorkflowId} {workflow.Status}: {string.Join(", ", workflow.History.Select(e => e.EventType))}");
        }

        text.AppendLine("Bot output (last lines):");
        text.AppendLine(string.Join('\n', Bot.RecentOutput.Split('\n').TakeLast(60)));
        if (Worker is not null)
        {
            text.AppendLine("Worker output (last lines):");
            text.AppendLine(string.Join('\n', Worker.RecentOutput.Split('\n').TakeLast(40)));
        }

        return text.ToString();
    }

    /// <summary>Polls <paramref name="probe"/> until it gives a value, failing with <paramref name="why"/> after <paramref name="timeout"/>.</summary>
    public static Task<T> Eventually<T>(Func<T?> probe, TimeSpan timeout, Func<string> why)
        where T : class => Eventually(() => Task.FromResult(probe()), timeout, why);

    /// <summary>Polls an asynchronous <paramref name="probe"/> until it gives a value, failing with <paramref name="why"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T?>> probe, TimeSpan timeout, Func<string> why)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(why);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"After {timeout.TotalSeconds:N0} s: {why()}");
            }
            await Task.Delay(100, Ct);
        }
    }

    public static bool IsFinalReply(StandInMessage reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return FinalReplyPattern().IsMatch(reply.Text);
    }

    /// <summary>The job id a job message names in its identity line ("Job `id`").</summary>
    public static string? JobIdIn(StandInMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = JobIdPattern().Match(IdentityOf(message));
        return match.Success ? match.Groups["id"].Value : null;
    }

    public async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }

        if (Temporal is not null)
        {
            await Temporal.DisposeAsync();
        }

        await Slack.DisposeAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>The ts of every bot message in the channel now, to tell a new job message from old ones.</summary>
    public HashSet<string> MessagesNow() => BotMessages().Select(m => m.Ts).ToHashSet(StringComparer.Ordinal);

    /// <summary>The top-level messages the bot posted in the channel.</summary>
    public IReadOnlyList<StandInMessage> BotMessagesInChannel() => BotMessages().ToList();

    /// <summary>Waits for a job message that was not among <paramref name="before"/>.</summary>
    public async Task<JobHandle> WaitForNewJob(HashSet<string> before, string what)
    {
        var message = await Eventually(
            () => BotMessages().FirstOrDefault(m => !before.Contains(m.Ts) && JobIdIn(m) is not null),
            TimeSpan.FromSeconds(10),
            () => $"No job message appeared in {ChannelId} after {what}.\nChannel: {string.Join(" | ", Slack.ChannelMessages(ChannelId).Select(m => OneLine(m.VisibleText)))}\nEphemerals: {string.Join(" | ", Slack.Ephemerals(UserId).Select(e => OneLine(e.VisibleText)))}\n{Bot.RecentOutput}");
        return new JobHandle(ChannelId, message.Ts, JobIdIn(message)!);
    }

    private async Task<InteractionResult> Click(JobHandle job, string actionWord)
    {
        var actionId = ActionIds(MessageOf(job)).FirstOrDefault(id => id.Contains(actionWord, StringComparison.Ordinal));
        Assert.True(actionId is not null, $"The message of {job.Id} has no {actionWord} button (buttons: {string.Join(", ", ActionIds(MessageOf(job)))}).\n{Describe(job)}");
        var result = await Slack.ClickButtonAsync(UserId, job.ChannelId, job.Ts, actionId, Ct);
        Assert.True(result.Error is null && !result.MissedDeadline,
            $"Clicking {actionId} was not acknowledged: status {result.StatusCode}, error {result.Error}, after {result.Elapsed.TotalMilliseconds:N0} ms, body {result.Body}");
        return result;
    }

    private IEnumerable<StandInMessage> BotMessages() => Slack.ChannelMessages(ChannelId).Where(m => m.BotId is not null);

    private static IEnumerable<string> ActionIds(StandInMessage message) =>
        Blocks(message).Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray())
            .Select(e => e.TryGetProperty("action_id", out var id) ? id.GetString() : null)
            .OfType<string>();

    private static string IdentityOf(StandInMessage message) =>
        Blocks(message).Where(b => b.TryGetProperty("block_id", out var id) && id.GetString() == "job_identity")
            .Select(TextsIn).FirstOrDefault() ?? "";

    /// <summary>Every "text" string inside a block, joined: what a person reads in it.</summary>
    private static string TextsIn(JsonElement block)
    {
        var texts = new List<string>();
        void Walk(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "text" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        texts.Add(property.Value.GetString()!);
                    }
                    else
                    {
                        Walk(property.Value);
                    }
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item);
                }
            }
        }
        Walk(block);
        return string.Join(" ", texts);
    }

    private static IEnumerable<JsonElement> Blocks(StandInMessage message) =>
        message.Blocks is { ValueKind: JsonValueKind.Array } blocks ? blocks.EnumerateArray() : [];

    private static string? StateIn(string fallback)
    {
        var match = StatePattern().Match(fallback);
        return match.Success ? match.Groups["state"].Value : null;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ⏎ ");

    [GeneratedRegex(@"^\S+ Job .* (?<state>pending|queued|running|succeeded|failed|cancelled): ", RegexOptions.Singleline)]
    private static partial Regex StatePattern();

    [GeneratedRegex(@"Job `(?<id>[^`]+)`")]
    private static partial Regex JobIdPattern();

    [GeneratedRegex(@"Kubernetes Job `(?<ns>[^/`]+)/(?<name>[^`]+)`")]
    private static partial Regex KubernetesJobPattern();

    // The final reply starts with the requester's mention when the job has one.
    [GeneratedRegex(@"^(<@[UW][A-Z0-9]+> )?\S+ \*(Succeeded|Failed|Cancelled)\*")]
    private static partial Regex FinalReplyPattern();

    private static string ClusterManifest()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "sandbox", "cluster.yaml");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("No sandbox/cluster.yaml above " + AppContext.BaseDirectory);
    }
}
