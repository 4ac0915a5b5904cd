using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>
/// Slack's Socket Mode, offline: <c>apps.connections.open</c> hands out a ws:// URL on the stand-in's own server; each
/// connection gets hello, then envelopes (slash commands, interactions) that must be acknowledged within the ack
/// deadline. An envelope left unacknowledged is delivered again (same envelope_id, retry_attempt + 1, retry_reason
/// "timeout"), as Slack does. Tests can send <c>disconnect</c>, drop connections abruptly and lose acknowledgements.
/// </summary>
public sealed class SocketModeServer
{
    public const string OpenMethod = "apps.connections.open";
    public const string LinkPath = "/link/";

    private readonly SlackWorkspace _workspace;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _tickets = new(StringComparer.Ordinal);
    private readonly List<SocketModeLink> _links = [];
    private readonly List<SocketModeDelivery> _deliveries = [];
    private readonly ConcurrentDictionary<(string EnvelopeId, int Attempt), TaskCompletionSource<string?>> _awaitingAck = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _nextLinkId;
    private int _nextTarget;
    private int _acksToIgnore;

    internal SocketModeServer(SlackWorkspace workspace, ILogger logger)
    {
        _workspace = workspace;
        _logger = logger;
    }

    /// <summary>True when the app has Socket Mode on (an app token is configured): Slack then delivers only over WebSockets.</summary>
    public bool Enabled => !string.IsNullOrEmpty(Options.AppToken);

    private SlackStandInOptions Options => _workspace.Options;

    /// <summary>Every connection so far, oldest first.</summary>
    public IReadOnlyList<SocketModeConnectionInfo> Connections
    {
        get
        {
            lock (_lock)
                return _links.Select(l => l.Info()).ToList();
        }
    }

    /// <summary>Every envelope delivery so far, oldest first.</summary>
    public IReadOnlyList<SocketModeDelivery> Deliveries
    {
        get
        {
            lock (_lock)
                return _deliveries.ToList();
        }
    }

    /// <summary>Connections that said hello and are still open.</summary>
    public int OpenConnections
    {
        get
        {
            lock (_lock)
                return _links.Count(l => l.Deliverable);
        }
    }

    /// <summary>Sends <c>disconnect</c> with <paramref name="reason"/> to one connection, or to every open one.</summary>
    /// <remarks>After <c>refresh_requested</c> the stand-in closes the connection itself once <see cref="SlackStandInOptions.SocketModeRefreshGrace"/> has passed.</remarks>
    public async Task SendDisconnectAsync(string reason, int? connectionId = null, CancellationToken ct = default)
    {
        foreach (var link in DeliverableLinks().Where(l => connectionId is null || l.Id == connectionId))
            await DisconnectAsync(link, reason, ct);
    }

    /// <summary>Drops every open connection without a close handshake, as a network failure would.</summary>
    public void DropConnections()
    {
        foreach (var link in LiveLinks())
        {
            link.MarkEnded(SocketModeEnd.Dropped, _workspace.Clock.GetUtcNow());
            link.Drop();
        }
        _workspace.Notify("*");
    }

    /// <summary>The next <paramref name="count"/> acknowledgements are thrown away, as if lost on the way: Slack then retries.</summary>
    public void IgnoreNextAcks(int count) => Interlocked.Exchange(ref _acksToIgnore, count);

    /// <summary>Waits until at least <paramref name="count"/> connections are open.</summary>
    public async Task WaitForOpenConnectionsAsync(int count, TimeSpan timeout, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        while (OpenConnections < count)
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{OpenConnections} Socket Mode connection(s) open after {timeout}, expected {count}.");
            await Task.Delay(20, ct);
        }
    }

    /// <summary>apps.connections.open: an app-level token gets a single-use ws:// URL.</summary>
    internal ApiAnswer Open(string? token)
    {
        if (string.IsNullOrEmpty(token))
            return ApiAnswer.Fail("not_authed");
        if (!token.StartsWith("xapp-", StringComparison.Ordinal))
            return ApiAnswer.Fail("not_allowed_token_type");
        if (!Enabled || token != Options.AppToken)
            return ApiAnswer.Fail("invalid_auth");
        var ticket = RandomNumberGenerator.GetHexString(32, lowercase: true);
        lock (_lock)
            _tickets[ticket] = _workspace.Clock.GetUtcNow().AddSeconds(30);
        var http = _workspace.BaseUrl;
        var url = $"ws://{http.Authority}{LinkPath}?ticket={ticket}&app_id={Options.ApiAppId}";
        return ApiAnswer.Ok(new JsonObject { ["url"] = url });
    }

    internal void Map(WebApplication app)
    {
        app.Map(LinkPath, AcceptAsync);
    }

    /// <summary>Delivers an envelope and waits for its acknowledgement no longer than Slack would; retries go on in the background.</summary>
    internal async Task<(string? AckPayload, TimeSpan Elapsed, string? Error)> DeliverAsync(string type, JsonObject payload, string what, CancellationToken ct)
    {
        var envelopeId = Guid.NewGuid().ToString();
        var started = Stopwatch.GetTimestamp();
        var (acked, ackPayload) = await TryDeliverAsync(envelopeId, type, payload, 0, "", Options.AckDeadline, ct);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (acked)
            return (ackPayload, elapsed, null);

        _ = RetryAsync(envelopeId, type, payload, what);
        _workspace.RecordDeadlineMiss($"{what}: no acknowledgement of envelope {envelopeId} within {Options.AckDeadline.TotalSeconds:0.#} s");
        _logger.LogWarning("The bot did not acknowledge {What} within {Deadline}; Slack shows the person operation_timeout and retries", what, Options.AckDeadline);
        return (null, elapsed, "operation_timeout");
    }

    private async Task RetryAsync(string envelopeId, string type, JsonObject payload, string what)
    {
        var delays = Options.SocketModeRetryDelays;
        for (var attempt = 1; attempt <= delays.Count; attempt++)
        {
            try
            {
                await Task.Delay(delays[attempt - 1], _workspace.Clock, _stopping.Token);
                var (acked, _) = await TryDeliverAsync(envelopeId, type, payload, attempt, "timeout", Options.AckDeadline, _stopping.Token);
                if (acked)
                    return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        _logger.LogWarning("Gave up on {What} (envelope {EnvelopeId}) after {Retries} retries", what, envelopeId, delays.Count);
    }

    private async Task<(bool Acked, string? Payload)> TryDeliverAsync(
        string envelopeId, string type, JsonObject payload, int attempt, string retryReason, TimeSpan deadline, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(deadline);
        var ack = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _awaitingAck[(envelopeId, attempt)] = ack;
        try
        {
            // Between a drop and the bot's reconnect there may be no connection: wait for one within the deadline.
            SocketModeLink? link = null;
            while (link is null)
            {
                link = NextLink();
                if (link is null)
                    await Task.Delay(20, timeout.Token);
            }

            var envelope = new JsonObject
            {
                ["envelope_id"] = envelopeId,
                ["payload"] = payload.DeepClone(),
                ["type"] = type,
                ["accepts_response_payload"] = type != "events_api",
                ["retry_attempt"] = attempt,
                ["retry_reason"] = retryReason,
            };
            lock (_lock)
                _deliveries.Add(new SocketModeDelivery(envelopeId, type, attempt, retryReason, link.Id, _workspace.Clock.GetUtcNow(), null, null, false));
            try
            {
                await link.SendAsync(envelope, timeout.Token);
            }
            catch (WebSocketException)
            {
                // The connection broke under the send: the envelope is as good as lost, and Slack retries it.
            }

            var answer = await ack.Task.WaitAsync(timeout.Token);
            return (true, answer);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, null);
        }
        finally
        {
            _awaitingAck.TryRemove((envelopeId, attempt), out _);
        }
    }

    private SocketModeLink? NextLink()
    {
        lock (_lock)
        {
            var open = _links.Where(l => l.Deliverable).ToList();
            if (open.Count == 0)
                return null;
            // A connection Slack told to go is used only while it is the last one.
            var staying = open.Where(l => !l.Retiring).ToList();
            if (staying.Count > 0)
                open = staying;
            // Slack spreads envelopes over an app's connections: round-robin, so an old connection still gets some.
            return open[(int)((uint)Interlocked.Increment(ref _nextTarget) % (uint)open.Count)];
        }
    }

    private List<SocketModeLink> DeliverableLinks()
    {
        lock (_lock)
            return _links.Where(l => l.Deliverable).ToList();
    }

    /// <summary>Every link not ended yet, greeted or not: what a drop or a shutdown cuts.</summary>
    private List<SocketModeLink> LiveLinks()
    {
        lock (_lock)
            return _links.Where(l => l.End == SocketModeEnd.Open).ToList();
    }

    private async Task AcceptAsync(HttpContext http)
    {
        var ticket = http.Request.Query["ticket"].ToString();
        bool valid;
        lock (_lock)
            valid = _tickets.Remove(ticket, out var expires) && expires > _workspace.Clock.GetUtcNow();
        if (!http.WebSockets.IsWebSocketRequest || !valid)
        {
            http.Response.StatusCode = valid ? StatusCodes.Status400BadRequest : StatusCodes.Status401Unauthorized;
            return;
        }

        var debugReconnects = http.Request.Query["debug_reconnects"].ToString() == "true";
        // Slack pings its Socket Mode clients; the official ones reconnect when the pings stop.
        var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromSeconds(10),
            KeepAliveTimeout = TimeSpan.FromSeconds(10),
        });
        SocketModeLink link;
        int open;
        lock (_lock)
        {
            link = new SocketModeLink(++_nextLinkId, http, socket, _workspace.Clock.GetUtcNow(), debugReconnects);
            _links.Add(link);
            open = _links.Count(l => l.Deliverable) + 1;
        }

        var lifetime = debugReconnects ? Options.SocketModeDebugConnectionLifetime : Options.SocketModeConnectionLifetime;
        try
        {
            await link.SendAsync(new JsonObject
            {
                ["type"] = "hello",
                ["num_connections"] = open,
                ["debug_info"] = new JsonObject
                {
                    ["host"] = $"stand-in-{link.Id}",
                    ["build_number"] = 1,
                    ["approximate_connection_time"] = (int)(lifetime?.TotalSeconds ?? 18060),
                },
                ["connection_info"] = new JsonObject { ["app_id"] = Options.ApiAppId },
            }, http.RequestAborted);
            // Only now may envelopes and disconnects go out on it: Slack's first message on a connection is always hello.
            link.Greeted = true;
            _workspace.Notify("*");
            if (lifetime is { } life)
                _ = RefreshAfterAsync(link, life);
            await ReadAcksAsync(link, http.RequestAborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            link.MarkEnded(SocketModeEnd.Dropped, _workspace.Clock.GetUtcNow());
        }
        finally
        {
            link.MarkEnded(SocketModeEnd.Dropped, _workspace.Clock.GetUtcNow());
            _workspace.Notify("*");
        }
    }

    private async Task ReadAcksAsync(SocketModeLink link, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await link.Socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                var now = _workspace.Clock.GetUtcNow();
                link.MarkEnded(link.ClosingBySlack ? SocketModeEnd.ClosedBySlack : SocketModeEnd.ClosedByBot, now);
                if (link.Socket.State == WebSocketState.CloseReceived)
                    await link.CloseAsync("bye");
                return;
            }
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
                continue;
            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            message.SetLength(0);
            Acknowledge(link, text);
        }
    }

    private void Acknowledge(SocketModeLink link, string text)
    {
        JsonObject? ack;
        try
        {
            ack = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            ack = null;
        }
        var envelopeId = ack?["envelope_id"] is JsonValue id && id.TryGetValue<string>(out var s) ? s : null;
        if (envelopeId is null)
        {
            _logger.LogWarning("Connection {Link} sent something that is no acknowledgement: {Text}", link.Id, text);
            return;
        }

        var ignored = Interlocked.Decrement(ref _acksToIgnore) >= 0;
        if (!ignored)
            Interlocked.Exchange(ref _acksToIgnore, 0);
        var payload = ack!["payload"] is JsonObject p && p.Count > 0 ? p.ToJsonString() : null;
        int attempt;
        lock (_lock)
        {
            var index = _deliveries.FindLastIndex(d => d.EnvelopeId == envelopeId && d.AckedAt is null);
            if (index < 0)
            {
                _logger.LogWarning("Connection {Link} acknowledged an unknown or already acknowledged envelope {EnvelopeId}", link.Id, envelopeId);
                return;
            }
            _deliveries[index] = _deliveries[index] with { AckedAt = _workspace.Clock.GetUtcNow(), AckPayload = payload, AckIgnored = ignored };
            attempt = _deliveries[index].RetryAttempt;
        }
        if (!ignored && _awaitingAck.TryGetValue((envelopeId, attempt), out var waiting))
            waiting.TrySetResult(payload);
        _workspace.Notify("*");
    }

    private async Task DisconnectAsync(SocketModeLink link, string reason, CancellationToken ct)
    {
        link.NoteDisconnect(reason);
        try
        {
            await link.SendAsync(new JsonObject
            {
                ["type"] = "disconnect",
                ["reason"] = reason,
                ["debug_info"] = new JsonObject { ["host"] = $"stand-in-{link.Id}" },
            }, ct);
        }
        catch (WebSocketException)
        {
            return;
        }
        if (reason == "refresh_requested")
            _ = CloseAfterAsync(link, Options.SocketModeRefreshGrace);
    }

    // Slack warns about ten seconds ahead, then asks for the refresh, then closes.
    private async Task RefreshAfterAsync(SocketModeLink link, TimeSpan lifetime)
    {
        try
        {
            var warningLead = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, lifetime.Ticks / 2));
            await Task.Delay(lifetime - warningLead, _workspace.Clock, _stopping.Token);
            if (link.End != SocketModeEnd.Open)
                return;
            await DisconnectAsync(link, "warning", _stopping.Token);
            await Task.Delay(warningLead, _workspace.Clock, _stopping.Token);
            if (link.End == SocketModeEnd.Open)
                await DisconnectAsync(link, "refresh_requested", _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // The stand-in is stopping.
        }
    }

    private async Task CloseAfterAsync(SocketModeLink link, TimeSpan grace)
    {
        try
        {
            await Task.Delay(grace, _workspace.Clock, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (link.End != SocketModeEnd.Open)
            return;
        link.ClosingBySlack = true;
        link.MarkEnded(SocketModeEnd.ClosedBySlack, _workspace.Clock.GetUtcNow());
        _workspace.Notify("*");
        await link.CloseAsync("refresh");
        // A client that never answers the close frame is cut off, as Slack's edge would.
        await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
        if (link.Socket.State != WebSocketState.Closed)
            link.Drop();
    }

    internal async Task StopAsync()
    {
        await _stopping.CancelAsync();
        foreach (var link in LiveLinks())
        {
            link.ClosingBySlack = true;
            await link.CloseAsync("server shutting down");
        }
    }
}
