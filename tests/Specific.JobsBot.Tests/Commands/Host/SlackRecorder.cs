using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Specific.JobsBot.Tests.Commands.Host;

/// <summary>One call the bot made to Slack: a Web API method, a response_url post or an upload.</summary>
public sealed record RecordedCall(string Path, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A loopback HTTP server that answers the Web API calls the front door makes as Slack would (ok, a view, an
/// upload ticket) and remembers each, so tests see exactly what went over the wire.
/// </summary>
public sealed class SlackRecorder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedCall> _calls = new();

    private SlackRecorder(WebApplication app) => _app = app;

    /// <summary>A private channel the bot is not in: conversations.info answers channel_not_found, as Slack does.</summary>
    public const string HiddenChannel = "C0HIDDEN";

    private int _posted;

    public string BaseUrl { get; private set; } = "";
    public string ApiBaseUrl => BaseUrl + "/api/";
    public IReadOnlyList<RecordedCall> Calls => _calls.ToList();

    public string NewResponseUrl() => $"{BaseUrl}/response/{Guid.NewGuid():N}";

    public static async Task<SlackRecorder> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var recorder = new SlackRecorder(app);
        app.Run(recorder.AnswerAsync);
        await app.StartAsync();
        recorder.BaseUrl = app.Urls.First();
        return recorder;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value ?? "";
        _calls.Enqueue(new RecordedCall(path, body));
        if (path.StartsWith("/response/", StringComparison.Ordinal) || path.StartsWith("/upload/", StringComparison.Ordinal))
        {
            await context.Response.WriteAsync("ok");
            return;
        }

        context.Response.ContentType = "application/json";
        var answer = path switch
        {
            "/api/views.open" or "/api/views.update" or "/api/views.publish" => """{"ok":true,"view":{"id":"V0001","hash":"h-1"}}""",
            "/api/files.getUploadURLExternal" => $$"""{"ok":true,"upload_url":"{{BaseUrl}}/upload/F0001","file_id":"F0001"}""",
            // An approval request needs its ts to be updated later; job messages keep the old answer their tests expect.
            "/api/chat.postMessage" when body.Contains("approval_actions", StringComparison.Ordinal) =>
                $$"""{"ok":true,"ts":"1700000000.{{Interlocked.Increment(ref _posted):D6}}"}""",
            "/api/chat.postEphemeral" => """{"ok":true,"message_ts":"1700000000.000100"}""",
            // Runs are asked about before they start: the bot is in every channel but one, which Slack hides from it.
            "/api/conversations.info" when body.Contains(HiddenChannel, StringComparison.Ordinal) => """{"ok":false,"error":"channel_not_found"}""",
            "/api/conversations.info" => """{"ok":true,"channel":{"id":"C0CHANNEL","is_channel":true,"is_private":false,"is_member":true}}""",
            "/api/auth.test" => """{"ok":true,"user_id":"U0BOT","user":"specific-jobs","team_id":"T0TEAM","bot_id":"B0BOT"}""",
            "/api/chat.getPermalink" => """{"ok":true,"channel":"C0CHANNEL","permalink":"https://acme.slack.com/archives/C0CHANNEL/p1700000000000555"}""",
            _ => """{"ok":true}""",
        };
        await context.Response.WriteAsync(answer);
    }

    /// <summary>Waits until a call to <paramref name="path"/> (a prefix such as "/api/views.open") matches.</summary>
    public async Task<RecordedCall> WaitForAsync(string path, Func<RecordedCall, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var call = _calls.FirstOrDefault(c => c.Path.StartsWith(path, StringComparison.Ordinal) && (match?.Invoke(c) ?? true));
            if (call is not null)
            {
                return call;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No call to {path} arrived. Calls: {string.Join(", ", _calls.Select(c => c.Path))}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
