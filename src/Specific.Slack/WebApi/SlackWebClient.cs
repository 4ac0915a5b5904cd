using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Specific.Slack.BlockKit;

namespace Specific.Slack.WebApi;

/// <summary>
/// Slack's Web API, typed. One call is one HTTP request: no hidden retries, so callers can pace themselves.
/// <c>ok: false</c> throws <see cref="SlackApiException"/>, 429 throws <see cref="SlackRateLimitedException"/>,
/// 5xx, timeouts and broken connections throw <see cref="SlackTransientException"/>.
/// </summary>
public sealed partial class SlackWebClient
{
    /// <summary>The Web API method names this client calls.</summary>
    public static class Methods
    {
        public const string PostMessage = "chat.postMessage";
        public const string Update = "chat.update";
        public const string Delete = "chat.delete";
        public const string PostEphemeral = "chat.postEphemeral";
        public const string GetPermalink = "chat.getPermalink";
        public const string ViewsOpen = "views.open";
        public const string ViewsUpdate = "views.update";
        public const string ViewsPush = "views.push";
        public const string ViewsPublish = "views.publish";
        public const string GetUploadUrlExternal = "files.getUploadURLExternal";
        public const string CompleteUploadExternal = "files.completeUploadExternal";
        public const string AuthTest = "auth.test";
        public const string UsersInfo = "users.info";
        public const string ConversationsInfo = "conversations.info";
        public const string ConversationsHistory = "conversations.history";
        public const string ConversationsReplies = "conversations.replies";
        public const string ConversationsJoin = "conversations.join";
        public const string UserGroupsUsersList = "usergroups.users.list";
        public const string ResponseUrl = "response_url";
        public const string UploadUrl = "upload_url";
    }

    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http;
    private readonly SlackOptions _options;
    private readonly SlackMetrics _metrics;
    private readonly Uri _apiBase;

    public SlackWebClient(HttpClient http, IOptions<SlackOptions> options, SlackMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        _apiBase = _options.GetApiBaseUri();
        _metrics = metrics;
    }

    /// <summary>Posts a message to a channel, or into a thread when <paramref name="threadTs"/> is set.</summary>
    public async Task<PostedMessage> PostMessageAsync(
        string channel, SlackMessage message, string? threadTs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = new PostMessageBody(channel, message.Text, message.Blocks, threadTs, UnfurlLinks: false, UnfurlMedia: false, message.Metadata);
        var response = await CallJsonAsync(Methods.PostMessage, body, cancellationToken);
        return new PostedMessage(String(response, "channel") ?? channel, RequiredString(Methods.PostMessage, response, "ts"));
    }

    /// <summary>Replaces a message's text and blocks.</summary>
    public async Task<PostedMessage> UpdateMessageAsync(
        string channel, string ts, SlackMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = new UpdateBody(channel, ts, message.Text, message.Blocks ?? []);
        var response = await CallJsonAsync(Methods.Update, body, cancellationToken);
        return new PostedMessage(String(response, "channel") ?? channel, String(response, "ts") ?? ts);
    }

    /// <summary>Deletes a message the bot posted.</summary>
    public Task DeleteMessageAsync(string channel, string ts, CancellationToken cancellationToken = default) =>
        CallJsonAsync(Methods.Delete, new DeleteBody(channel, ts), cancellationToken);

    /// <summary>Shows a message to one person in a channel; returns its message_ts.</summary>
    public async Task<string> PostEphemeralAsync(
        string channel, string user, SlackMessage message, string? threadTs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = new PostEphemeralBody(channel, user, message.Text, message.Blocks, threadTs);
        var response = await CallJsonAsync(Methods.PostEphemeral, body, cancellationToken);
        return String(response, "message_ts") ?? "";
    }

    /// <summary>A link to a message.</summary>
    public async Task<Uri> GetPermalinkAsync(string channel, string messageTs, CancellationToken cancellationToken = default)
    {
        var response = await CallFormAsync(
            Methods.GetPermalink, [new("channel", channel), new("message_ts", messageTs)], cancellationToken);
        return new Uri(RequiredString(Methods.GetPermalink, response, "permalink"));
    }

    /// <summary>Opens a modal; the trigger_id must be under 3 s old and unused.</summary>
    public async Task<OpenedView> OpenViewAsync(string triggerId, ModalView view, CancellationToken cancellationToken = default)
    {
        var response = await CallJsonAsync(Methods.ViewsOpen, new OpenViewBody(triggerId, view), cancellationToken);
        return ReadView(Methods.ViewsOpen, response);
    }

    /// <summary>Replaces an open view; with <paramref name="hash"/>, only if nobody changed it since.</summary>
    public async Task<OpenedView> UpdateViewAsync(
        string viewId, ModalView view, string? hash = null, CancellationToken cancellationToken = default)
    {
        var response = await CallJsonAsync(
            Methods.ViewsUpdate, new UpdateViewBody(viewId, view, hash), cancellationToken);
        return ReadView(Methods.ViewsUpdate, response);
    }

    /// <summary>Pushes a view on top of the open one.</summary>
    public async Task<OpenedView> PushViewAsync(string triggerId, ModalView view, CancellationToken cancellationToken = default)
    {
        var response = await CallJsonAsync(Methods.ViewsPush, new OpenViewBody(triggerId, view), cancellationToken);
        return ReadView(Methods.ViewsPush, response);
    }

    /// <summary>
    /// Uploads a file into a channel (and thread): files.getUploadURLExternal, the bytes to upload_url, then
    /// files.completeUploadExternal. <paramref name="content"/> is streamed, never held whole in memory.
    /// </summary>
    public async Task<UploadedFile> UploadFileAsync(
        string channel, string? threadTs, string filename, string title, Stream content, long length,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var ticket = await CallFormAsync(
            Methods.GetUploadUrlExternal,
            [new("filename", filename), new("length", length.ToString(CultureInfo.InvariantCulture))],
            cancellationToken);
        var uploadUrl = new Uri(RequiredString(Methods.GetUploadUrlExternal, ticket, "upload_url"));
        var fileId = RequiredString(Methods.GetUploadUrlExternal, ticket, "file_id");

        using (var upload = new HttpRequestMessage(HttpMethod.Post, uploadUrl))
        {
            var streamContent = new StreamContent(content);
            streamContent.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            streamContent.Headers.ContentLength = length;
            upload.Content = streamContent;
            using var response = await SendAsync(Methods.UploadUrl, upload, _options.UploadTimeout, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Fail(Methods.UploadUrl, response, TimeSpan.Zero);
            }
        }

        var complete = new CompleteUploadBody([new CompleteUploadFile(fileId, title)], channel, threadTs);
        await CallJsonAsync(Methods.CompleteUploadExternal, complete, cancellationToken);
        return new UploadedFile(fileId, title);
    }

    /// <summary>Who the bot token belongs to; a cheap check that the token works.</summary>
    public async Task<AuthIdentity> AuthTestAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallFormAsync(Methods.AuthTest, [], cancellationToken);
        return new AuthIdentity(
            RequiredString(Methods.AuthTest, response, "user_id"), String(response, "user"),
            RequiredString(Methods.AuthTest, response, "team_id"), String(response, "team"),
            String(response, "bot_id"), String(response, "url"));
    }

    /// <summary>A person's profile (users.info).</summary>
    public async Task<SlackUserInfo> GetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var response = await CallFormAsync(Methods.UsersInfo, [new("user", userId)], cancellationToken);
        var user = response.TryGetProperty("user", out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new SlackApiException(Methods.UsersInfo, "malformed_response");
        var profile = user.TryGetProperty("profile", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        return new SlackUserInfo(
            RequiredString(Methods.UsersInfo, user, "id"), String(user, "name"), String(user, "real_name"),
            profile.ValueKind == JsonValueKind.Object ? String(profile, "display_name") : null,
            Bool(user, "is_bot"), Bool(user, "deleted"), String(user, "tz"));
    }

    /// <summary>The member ids of a user group (usergroups.users.list; needs usergroups:read).</summary>
    public async Task<IReadOnlyList<string>> ListUserGroupMembersAsync(string userGroupId, CancellationToken cancellationToken = default)
    {
        var response = await CallFormAsync(
            Methods.UserGroupsUsersList, [new("usergroup", userGroupId)], cancellationToken);
        return response.TryGetProperty("users", out var users) && users.ValueKind == JsonValueKind.Array
            ? users.EnumerateArray().Where(u => u.ValueKind == JsonValueKind.String).Select(u => u.GetString()!).ToList()
            : throw new SlackApiException(Methods.UserGroupsUsersList, "malformed_response");
    }

    /// <summary>
    /// A channel's newest top-level messages posted after <paramref name="oldest"/>, newest first (one page of
    /// conversations.history; needs channels:history or groups:history).
    /// </summary>
    public async Task<IReadOnlyList<HistoryMessage>> GetHistoryAsync(
        string channelId, DateTimeOffset oldest, int limit = 100, CancellationToken cancellationToken = default)
    {
        var response = await CallFormAsync(
            Methods.ConversationsHistory,
            [new("channel", channelId), new("oldest", TsOf(oldest)), new("limit", limit.ToString(CultureInfo.InvariantCulture))],
            cancellationToken);
        return MessagesIn(response);
    }

    /// <summary>
    /// Answers through a response_url (at most 5 uses in 30 minutes). The URL carries its own authority, so no token
    /// is sent.
    /// </summary>
    public async Task PostToResponseUrlAsync(Uri responseUrl, SlackMessage body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, responseUrl)
        {
            Content = JsonContent.Create(body, options: SlackJson.Options),
        };
        using var response = await SendAsync(Methods.ResponseUrl, request, _options.RequestTimeout, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            Fail(Methods.ResponseUrl, response, TimeSpan.Zero);
        }

        // Slack answers "ok" as text, or JSON with ok=false when the URL is spent or expired.
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.TrimStart().StartsWith('{'))
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.False)
            {
                throw new SlackApiException(Methods.ResponseUrl, String(document.RootElement, "error") ?? "unknown_error");
            }
        }
        _metrics.Record(Methods.ResponseUrl, SlackMetrics.Outcomes.Ok, TimeSpan.Zero);
    }

    /// <summary>Calls any Web API method with a JSON body; returns the whole response once ok is true.</summary>
    public Task<JsonElement> CallAsync(string method, object body, CancellationToken cancellationToken = default) =>
        CallJsonAsync(method, body, cancellationToken);

    /// <summary>
    /// apps.connections.open with the app-level token (Socket Mode): the WebSocket URL to connect to. Internal, as it is
    /// no bot-token call and needs no bot scope; <see cref="SocketMode.SocketModeClient"/> uses it.
    /// </summary>
    internal async Task<Uri> OpenSocketModeConnectionAsync(string appToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(appToken);
        const string method = SocketMode.SocketModeProtocol.OpenMethod;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_apiBase, method))
        {
            Content = new FormUrlEncodedContent([]),
        };
        var response = await CallAsync(method, request, cancellationToken, appToken);
        return Uri.TryCreate(RequiredString(method, response, "url"), UriKind.Absolute, out var url) && url.Scheme is "wss" or "ws"
            ? url
            : throw new SlackApiException(method, "malformed_response", ["the url is not a WebSocket URL"]);
    }

    private async Task<JsonElement> CallJsonAsync(string method, object body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_apiBase, method))
        {
            Content = JsonContent.Create(body, body.GetType(), options: SlackJson.Options),
        };
        return await CallAsync(method, request, cancellationToken);
    }

    private async Task<JsonElement> CallFormAsync(
        string method, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken cancellationToken)
    {
        // Slack's read methods and files.getUploadURLExternal take form fields, not JSON.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_apiBase, method))
        {
            Content = new FormUrlEncodedContent(fields),
        };
        return await CallAsync(method, request, cancellationToken);
    }

    private async Task<JsonElement> CallAsync(
        string method, HttpRequestMessage request, CancellationToken cancellationToken, string? token = null)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? _options.BotToken);
        var started = Stopwatch.GetTimestamp();
        using var response = await SendAsync(method, request, _options.RequestTimeout, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            Fail(method, response, Stopwatch.GetElapsedTime(started));
        }

        JsonElement root;
        try
        {
            var json = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            _metrics.Record(method, SlackMetrics.Outcomes.Error, Stopwatch.GetElapsedTime(started));
            throw new SlackApiException(method, "malformed_response", [exception.Message]);
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
        {
            _metrics.Record(method, SlackMetrics.Outcomes.Ok, Stopwatch.GetElapsedTime(started));
            return root;
        }

        var error = root.ValueKind == JsonValueKind.Object ? String(root, "error") ?? "unknown_error" : "malformed_response";
        if (error == SlackErrors.RateLimited)
        {
            _metrics.Record(method, SlackMetrics.Outcomes.RateLimited, Stopwatch.GetElapsedTime(started));
            throw new SlackRateLimitedException(method, RetryAfterOf(response));
        }
        _metrics.Record(method, SlackMetrics.Outcomes.Error, Stopwatch.GetElapsedTime(started));
        throw new SlackApiException(method, error, MetadataMessages(root));
    }

    private async Task<HttpResponseMessage> SendAsync(
        string method, HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Record(method, SlackMetrics.Outcomes.Transient, Stopwatch.GetElapsedTime(started));
            throw new SlackTransientException(method, $"no answer within {timeout.TotalSeconds:0} s", exception);
        }
        catch (HttpRequestException exception)
        {
            _metrics.Record(method, SlackMetrics.Outcomes.Transient, Stopwatch.GetElapsedTime(started));
            throw new SlackTransientException(method, exception.HttpRequestError.ToString(), exception);
        }
    }

    [DoesNotReturn]
    private void Fail(string method, HttpResponseMessage response, TimeSpan elapsed)
    {
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            _metrics.Record(method, SlackMetrics.Outcomes.RateLimited, elapsed);
            throw new SlackRateLimitedException(method, RetryAfterOf(response));
        }
        if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
        {
            _metrics.Record(method, SlackMetrics.Outcomes.Transient, elapsed);
            throw new SlackTransientException(method, $"HTTP {status}");
        }
        _metrics.Record(method, SlackMetrics.Outcomes.Error, elapsed);
        throw new SlackApiException(method, $"http_{status}");
    }

    private static TimeSpan RetryAfterOf(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }
        if (retryAfter?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return DefaultRetryAfter;
    }

    private static IReadOnlyList<string> MetadataMessages(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object &&
            root.TryGetProperty("response_metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object &&
            metadata.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            return messages.EnumerateArray()
                .Where(message => message.ValueKind == JsonValueKind.String)
                .Select(message => message.GetString()!)
                .ToList();
        }
        return [];
    }

    private static OpenedView ReadView(string method, JsonElement response)
    {
        var view = response.TryGetProperty("view", out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new SlackApiException(method, "malformed_response");
        return new OpenedView(RequiredString(method, view, "id"), String(view, "hash"), String(view, "external_id"));
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static string RequiredString(string method, JsonElement element, string name) =>
        String(element, name) ?? throw new SlackApiException(method, "malformed_response", [$"no '{name}' in the response"]);

    private sealed record PostMessageBody(
        string Channel, string Text, IReadOnlyList<Block>? Blocks, string? ThreadTs, bool UnfurlLinks, bool UnfurlMedia, MessageMetadata? Metadata);

    private sealed record UpdateBody(string Channel, string Ts, string Text, IReadOnlyList<Block> Blocks);

    private sealed record DeleteBody(string Channel, string Ts);

    private sealed record PostEphemeralBody(string Channel, string User, string Text, IReadOnlyList<Block>? Blocks, string? ThreadTs);

    private sealed record OpenViewBody(string TriggerId, ModalView View);

    private sealed record UpdateViewBody(string ViewId, ModalView View, string? Hash);

    private sealed record CompleteUploadBody(IReadOnlyList<CompleteUploadFile> Files, string ChannelId, string? ThreadTs);

    private sealed record CompleteUploadFile(string Id, string Title);
}
