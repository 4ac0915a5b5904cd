using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>
/// An offline Slack workspace on loopback HTTP: Slack's Web API for the bot, Slack's client side (slash
/// commands, buttons, modals) towards the bot, and a page at "/" that shows the channel as Slack would.
/// </summary>
public sealed class SlackStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SlackWorkspace _workspace;
    private readonly SlackPerson _person;
    private readonly HttpClient _botHttp;

    private SlackStandIn(WebApplication app, SlackWorkspace workspace, SlackPerson person, HttpClient botHttp, SlackFaults faults, SocketModeServer socketMode)
    {
        _app = app;
        SocketMode = socketMode;
        _workspace = workspace;
        _person = person;
        _botHttp = botHttp;
        Faults = faults;
    }

    /// <summary>Where the stand-in listens, ending in "/"; the page is here.</summary>
    public Uri BaseUrl => _workspace.BaseUrl;

    /// <summary>Slack's Web API base ("…/api/"), what a Slack client takes as its API URL.</summary>
    public Uri ApiBaseUrl => new(BaseUrl, "api/");

    public SlackFaults Faults { get; }

    /// <summary>Socket Mode: its connections and deliveries, and the disconnects and drops tests provoke.</summary>
    public SocketModeServer SocketMode { get; }

    public SlackStandInOptions Options => _workspace.Options;

    /// <summary>Every Web API call as answered, oldest first.</summary>
    public IReadOnlyList<ApiCall> Calls => _workspace.Calls();

    /// <summary>Each time the bot failed to acknowledge within Slack's 3 seconds (the person saw operation_timeout).</summary>
    public IReadOnlyList<string> DeadlineMisses => _workspace.DeadlineMisses();

    public IReadOnlyList<StandInFile> Files => _workspace.Files.All();

    public static async Task<SlackStandIn> StartAsync(SlackStandInOptions options, ILoggerFactory? loggerFactory = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(SlackStandIn).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            // the host's own request logs would drown the caller's log; keep its warnings and errors only
            builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }
        builder.WebHost.UseUrls(options.Url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024L * 1024 * 1024);

        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        var clock = TimeProvider.System;
        var workspace = new SlackWorkspace(options, clock);
        var api = new SlackWebApi(workspace);
        var faults = new SlackFaults(clock);
        var limiter = new SlackRateLimiter(options.RateLimits, clock);
        var botHttp = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
        var socketMode = new SocketModeServer(workspace, factory.CreateLogger<SocketModeServer>());
        var person = new SlackPerson(workspace, api, botHttp, socketMode, factory.CreateLogger<SlackPerson>());

        var app = builder.Build();
        app.UseWebSockets();
        var standIn = new SlackStandIn(app, workspace, person, botHttp, faults, socketMode);
        var logger = factory.CreateLogger<SlackStandIn>();
        MapWebApi(app, workspace, api, faults, limiter, socketMode, logger);
        socketMode.Map(app);
        MapFiles(app, workspace);
        MapResponseUrls(app, workspace);
        SandboxPage.Map(app, standIn, workspace, api);

        await app.StartAsync(ct);
        var address = app.Urls.First();
        workspace.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        logger.LogInformation("Slack stand-in listening on {Url}", workspace.BaseUrl);
        return standIn;
    }

    public Task<SlashCommandResult> RunSlashCommandAsync(string userId, string channelId, string text, CancellationToken ct = default) =>
        _person.RunSlashCommandAsync(userId, channelId, text, ct);

    public Task<InteractionResult> ClickButtonAsync(string userId, string channelId, string messageTs, string actionId, CancellationToken ct = default) =>
        _person.ClickButtonAsync(userId, channelId, messageTs, actionId, ct);

    public Task<ViewSubmissionResult> SubmitViewAsync(string userId, string viewId, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> values, CancellationToken ct = default) =>
        _person.SubmitViewAsync(userId, viewId, values, ct);

    /// <summary>The person picks one of the app's global shortcuts (<see cref="SlackStandInOptions.GlobalShortcuts"/>).</summary>
    public Task<InteractionResult> UseGlobalShortcutAsync(string userId, string callbackId, CancellationToken ct = default) =>
        _person.UseGlobalShortcutAsync(userId, callbackId, ct);

    /// <summary>The person opens the app's Home tab: <c>app_home_opened</c> goes to the bot if the app subscribes to it (null otherwise).</summary>
    public Task<EventDelivery?> OpenHomeAsync(string userId, CancellationToken ct = default) => _person.OpenHomeAsync(userId, ct);

    /// <summary>The person clicks a button on their Home tab (a block_actions whose container is the view).</summary>
    public Task<InteractionResult> ClickHomeButtonAsync(string userId, string actionId, CancellationToken ct = default) =>
        _person.ClickHomeButtonAsync(userId, actionId, ct);

    /// <summary>What the person sees on the app's Home tab: the view the app last published for them, or null.</summary>
    public StandInHomeView? HomeOf(string userId) => _workspace.Homes.Of(userId);

    /// <summary>The person closes the modal (Cancel / ×).</summary>
    public void CloseView(string userId, string viewId) => _person.CloseView(userId, viewId);

    /// <summary>A person writes a plain message (the bot cannot update or delete it).</summary>
    public StandInMessage PostAsPerson(string userId, string channelId, string text, string? threadTs = null) =>
        _workspace.Post(channelId, userId, null, text, null, threadTs, broadcast: false);

    /// <summary>Every conversation the workspace knows, with its kind and whether the bot is in it.</summary>
    public IReadOnlyList<StandInChannel> Channels => _workspace.Channels();

    /// <summary>The conversation as the workspace knows it: its kind and whether the bot is in it.</summary>
    public StandInChannel Channel(string channelId) => _workspace.Directory.Get(channelId);

    /// <summary>A person creates a channel (public or private), with or without the bot in it.</summary>
    public StandInChannel CreateChannel(string name, bool isPrivate, bool botMember)
    {
        var (channel, error) = _workspace.Directory.Create(name, isPrivate, botMember);
        return channel ?? throw new ArgumentException($"Slack would not create a channel named '{name}': {error}.", nameof(name));
    }

    /// <summary>A person types <c>/invite @specific</c> in the channel.</summary>
    public void InviteBot(string channelId) => _workspace.Directory.SetBotMember(channelId, member: true);

    /// <summary>A person types <c>/remove @specific</c> in the channel (the bot's posts there are refused from now on).</summary>
    public void RemoveBot(string channelId) => _workspace.Directory.SetBotMember(channelId, member: false);

    public IReadOnlyList<StandInMessage> ChannelMessages(string channelId) => _workspace.ChannelMessages(channelId);

    /// <summary>The thread's parent followed by its replies.</summary>
    public IReadOnlyList<StandInMessage> ThreadReplies(string channelId, string threadTs) => _workspace.Thread(channelId, threadTs);

    public IReadOnlyList<StandInEphemeral> Ephemerals(string userId) => _workspace.Ephemerals(userId);

    /// <summary>The modal on top of the person's view stack, or null.</summary>
    public StandInView? OpenView(string userId) => _workspace.Views.Top(userId);

    /// <summary>Waits until a message (top-level or reply, in any channel) matches.</summary>
    public Task<StandInMessage> WaitForMessageAsync(Func<StandInMessage, bool> match, TimeSpan timeout, CancellationToken ct = default) =>
        WaitForAsync(() => _workspace.Channels().SelectMany(c => AllMessages(c.Id)).FirstOrDefault(match), timeout, ct);

    /// <summary>Waits until the person has a modal open that matches.</summary>
    public Task<StandInView> WaitForViewAsync(string userId, Func<StandInView, bool> match, TimeSpan timeout, CancellationToken ct = default) =>
        WaitForAsync(() => _workspace.Views.Top(userId) is { } view && match(view) ? view : null, timeout, ct);

    /// <summary>Waits until the person sees an ephemeral message that matches.</summary>
    public Task<StandInEphemeral> WaitForEphemeralAsync(string userId, Func<StandInEphemeral, bool> match, TimeSpan timeout, CancellationToken ct = default) =>
        WaitForAsync(() => _workspace.Ephemerals(userId).FirstOrDefault(match), timeout, ct);

    private IEnumerable<StandInMessage> AllMessages(string channelId) =>
        _workspace.ChannelMessages(channelId).SelectMany(m => m.ReplyCount > 0 ? _workspace.Thread(channelId, m.Ts) : [m]).DistinctBy(m => m.Ts);

    private async Task<T> WaitForAsync<T>(Func<T?> probe, TimeSpan timeout, CancellationToken ct)
        where T : class
    {
        var changed = new SemaphoreSlim(0);
        void OnChanged(string _) => changed.Release();
        _workspace.Changed += OnChanged;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            while (true)
            {
                if (probe() is { } found)
                    return found;
                try
                {
                    await changed.WaitAsync(TimeSpan.FromMilliseconds(200), deadline.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"Nothing matched within {timeout}.");
                }
            }
        }
        finally
        {
            // not disposed: a change raised concurrently with unsubscribing may still Release it
            _workspace.Changed -= OnChanged;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await SocketMode.StopAsync();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        _botHttp.Dispose();
    }

    private static void MapWebApi(WebApplication app, SlackWorkspace workspace, SlackWebApi api, SlackFaults faults, SlackRateLimiter limiter, SocketModeServer socketMode, ILogger logger)
    {
        app.MapMethods("/api/{method}", [HttpMethods.Get, HttpMethods.Post], async (HttpContext http, string method) =>
        {
            var started = Stopwatch.GetTimestamp();
            var at = workspace.Clock.GetUtcNow();
            var ct = http.RequestAborted;
            string? channel = null;

            async Task AnswerAsync(ApiAnswer answer, bool missingCharset = false)
            {
                if (missingCharset && answer.Status == 200)
                {
                    answer.Body["warning"] = "missing_charset";
                    var metadata = answer.Body["response_metadata"] as JsonObject ?? new JsonObject();
                    metadata["warnings"] = new JsonArray("missing_charset");
                    answer.Body["response_metadata"] = metadata;
                }
                http.Response.StatusCode = answer.Status;
                if (answer.RetryAfter is { } retryAfter)
                    http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                http.Response.ContentType = "application/json; charset=utf-8";
                await http.Response.WriteAsync(answer.Body.ToJsonString(), ct);
                workspace.RecordCall(new ApiCall(method, answer.Status, answer.Error, channel, at, Stopwatch.GetElapsedTime(started)));
            }

            switch (faults.Take(method))
            {
                case { Kind: SlackFaultKind.Slow, Amount: var delay }:
                    await Task.Delay(delay, ct);
                    break;
                case { Kind: SlackFaultKind.DropConnection }:
                    workspace.RecordCall(new ApiCall(method, 0, "connection_dropped", null, at, Stopwatch.GetElapsedTime(started)));
                    http.Abort();
                    return;
                case { Kind: SlackFaultKind.ServerError }:
                    http.Response.StatusCode = 500;
                    http.Response.ContentType = "text/html";
                    await http.Response.WriteAsync("<html><body>Internal Server Error</body></html>", ct);
                    workspace.RecordCall(new ApiCall(method, 500, "internal_error", null, at, Stopwatch.GetElapsedTime(started)));
                    return;
                case { Kind: SlackFaultKind.RateLimited, Amount: var retryAfter }:
                    await AnswerAsync(new ApiAnswer(429, new JsonObject { ["ok"] = false, ["error"] = "ratelimited" }, retryAfter));
                    return;
            }

            var (args, readError) = await ApiArguments.ReadAsync(http.Request, ct);
            if (args is null)
            {
                await AnswerAsync(ApiAnswer.Fail(readError!));
                return;
            }
            channel = args.String("channel") ?? args.String("channel_id");
            if (method == SocketModeServer.OpenMethod)
            {
                // The one method that takes the app-level token, not the bot's.
                await AnswerAsync(socketMode.Open(args.Token));
                return;
            }
            if (!SlackWebApi.Methods.Contains(method))
            {
                await AnswerAsync(api.Call(method, args));
                return;
            }
            if (string.IsNullOrEmpty(args.Token))
            {
                await AnswerAsync(ApiAnswer.Fail("not_authed"));
                return;
            }
            if (workspace.Options.ObserverToken is { Length: > 0 } observer && args.Token == observer)
            {
                // A watcher's read, not the bot's call: no rate limit, not recorded.
                var read = method is "conversations.history" or "conversations.replies" ? api.Call(method, args) : ApiAnswer.Fail("not_allowed_token_type");
                http.Response.ContentType = "application/json; charset=utf-8";
                http.Response.StatusCode = read.Status;
                await http.Response.WriteAsync(read.Body.ToJsonString(), ct);
                return;
            }
            if (args.Token != workspace.Options.BotToken)
            {
                await AnswerAsync(ApiAnswer.Fail("invalid_auth"));
                return;
            }
            if (limiter.TryAcquire(method, channel) is { } wait)
            {
                logger.LogDebug("Rate limited {Method} for {Wait}", method, wait);
                await AnswerAsync(new ApiAnswer(429, new JsonObject { ["ok"] = false, ["error"] = "ratelimited" }, wait));
                return;
            }
            await AnswerAsync(api.Call(method, args), args.MissingCharset);
        });
    }

    private static void MapFiles(WebApplication app, SlackWorkspace workspace)
    {
        app.MapPost("/upload/v1/{id}", async (HttpContext http, string id) =>
        {
            byte[] content;
            if (http.Request.HasFormContentType && http.Request.ContentType!.Contains("multipart", StringComparison.OrdinalIgnoreCase))
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
                if (file is null)
                    return Results.Text("no file in the multipart body", statusCode: 400);
                using var buffer = new MemoryStream();
                await file.CopyToAsync(buffer, http.RequestAborted);
                content = buffer.ToArray();
            }
            else
            {
                using var buffer = new MemoryStream();
                await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
                content = buffer.ToArray();
            }
            return workspace.Files.StoreUpload(id, content)
                ? Results.Text(string.Create(CultureInfo.InvariantCulture, $"OK - {content.Length}"), "text/plain")
                : Results.NotFound();
        });

        app.MapGet("/files/{id}/{name}", (string id, string name) =>
            workspace.Files.Find(id) is { } file
                ? Results.File(file.Content.ToArray(), MimeTypes.For(file.Name), file.Name)
                : Results.NotFound());
    }

    private static void MapResponseUrls(WebApplication app, SlackWorkspace workspace)
    {
        var endpoint = new ResponseUrlEndpoint(workspace);
        app.MapPost("/response-url/{team}/{id}", async (HttpContext http, string id) =>
        {
            JsonObject? body;
            try
            {
                body = http.Request.HasFormContentType
                    ? (await http.Request.ReadFormAsync(http.RequestAborted)).TryGetValue("payload", out var payload) ? JsonNode.Parse(payload.ToString()) as JsonObject : null
                    : await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted) as JsonObject;
            }
            catch (JsonException)
            {
                body = null;
            }
            var (status, answer) = endpoint.Handle(id, body);
            return Results.Text(answer.ToJsonString(), "application/json; charset=utf-8", statusCode: status);
        });
    }
}

/// <summary>Hands the stand-in host's log messages to the caller's logger factory.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

    public void Dispose()
    {
        // the caller owns the factory
    }
}
