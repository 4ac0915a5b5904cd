using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>A tiny bot on a free loopback port that records what Slack sends and answers as the test says.</summary>
public sealed class FakeBot : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeBot(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    /// <summary>How the bot answers a slash command (default: empty 200).</summary>
    public Func<ReceivedRequest, Task<IResult>> OnCommand { get; set; } = _ => Task.FromResult(Results.Ok());

    /// <summary>How the bot answers an interaction (default: empty 200).</summary>
    public Func<ReceivedRequest, Task<IResult>> OnInteraction { get; set; } = _ => Task.FromResult(Results.Ok());

    /// <summary>What the bot answers an Events API post (a JSON body: <see cref="ReceivedRequest.RawBody"/>).</summary>
    public Func<ReceivedRequest, Task<IResult>> OnEvent { get; set; } = _ => Task.FromResult(Results.Ok());

    public static async Task<FakeBot> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeBot? bot = null;
        app.MapPost("/slack/commands", async http => await (await bot!.HandleAsync(http, "commands", bot.OnCommand)).ExecuteAsync(http));
        app.MapPost("/slack/interactions", async http => await (await bot!.HandleAsync(http, "interactions", bot.OnInteraction)).ExecuteAsync(http));
        app.MapPost("/slack/events", async http => await (await bot!.HandleAsync(http, "events", bot.OnEvent)).ExecuteAsync(http));
        await app.StartAsync(TestContext.Current.CancellationToken);
        bot = new FakeBot(app, new Uri(app.Urls.First()));
        return bot;
    }

    private async Task<IResult> HandleAsync(HttpContext http, string kind, Func<ReceivedRequest, Task<IResult>> answer)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        var request = new ReceivedRequest(
            kind,
            body,
            http.Request.ContentType ?? "",
            http.Request.Headers["X-Slack-Signature"].ToString(),
            http.Request.Headers["X-Slack-Request-Timestamp"].ToString(),
            Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body).ToDictionary(kv => kv.Key, kv => kv.Value.ToString()));
        Received.Enqueue(request);
        return await answer(request);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TestContext.Current.CancellationToken);
        await _app.DisposeAsync();
    }
}

/// <summary>One request the fake bot received, raw and parsed.</summary>
public sealed record ReceivedRequest(string Kind, string RawBody, string ContentType, string Signature, string Timestamp, IReadOnlyDictionary<string, string> Fields)
{
    public System.Text.Json.Nodes.JsonObject Payload => System.Text.Json.Nodes.JsonNode.Parse(Fields["payload"])!.AsObject();
}
