using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Specific.Slack.WebApi;

namespace Specific.Slack.SocketMode;

/// <summary>Slack refused the app-level token for good (invalid_auth, not_allowed_token_type, …): no retry can help.</summary>
public sealed class SocketModeRefusedException : Exception
{
    public SocketModeRefusedException(string error, Exception? innerException = null)
        : base($"Slack refused the app-level token in {SocketModeProtocol.OpenMethod}: {error}.", innerException) => Error = error;

    public SocketModeRefusedException() : this("unknown") { }

    public SocketModeRefusedException(string error) : this(error, null) { }

    /// <summary>Slack's error code.</summary>
    public string Error { get; }
}

/// <summary>
/// Receives Slack's slash commands and interactions over Socket Mode: <c>apps.connections.open</c> with the app-level
/// token, a WebSocket per connection, each envelope answered by an <see cref="ISocketModeHandler"/> and acknowledged on
/// the connection it came from. On <c>disconnect</c> it opens the next connection before closing the old one, so no
/// envelope falls into a gap; when every connection is lost it reconnects with capped, jittered exponential backoff; when
/// Slack refuses the token it stops, logs why, and says so in <see cref="SocketModeStatus"/>.
/// </summary>
public sealed partial class SocketModeClient(
    IServiceProvider services,
    IOptions<SlackOptions> slackOptions,
    IOptions<SocketModeOptions> socketModeOptions,
    SocketModeStatus status,
    TimeProvider clock,
    ILogger<SocketModeClient> logger)
{
    private readonly SocketModeOptions _options = socketModeOptions.Value;
    private readonly Random _jitter = new();
    private int _nextConnectionId;

    // Read by the answering tasks, replaced (never mutated) by the supervisor loop.
    private volatile SocketModeConnection[] _openConnections = [];

    private abstract record ConnectionEvent(SocketModeConnection Connection);

    private sealed record Lost(SocketModeConnection Connection, string Why) : ConnectionEvent(Connection);

    private sealed record DisconnectAsked(SocketModeConnection Connection, string Reason) : ConnectionEvent(Connection);

    /// <summary>
    /// Connects and answers envelopes until <paramref name="cancellationToken"/> is cancelled (then it stops reading,
    /// lets the envelopes in hand be acknowledged and closes) or Slack refuses the token (then it returns after logging).
    /// </summary>
    public async Task RunAsync(ISocketModeHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var appToken = slackOptions.Value.AppToken;
        if (string.IsNullOrWhiteSpace(appToken))
        {
            throw new InvalidOperationException("Socket Mode needs Slack:AppToken (Slack__AppToken), an app-level xapp-… token.");
        }

        var events = Channel.CreateUnbounded<ConnectionEvent>();
        var live = new List<SocketModeConnection>();
        var readers = new List<Task>();
        // Envelopes in hand finish on their own token, so a shutdown still acknowledges them before closing.
        using var handlers = new CancellationTokenSource();
        var failures = 0;
        var opened = 0;
        var waitBeforeOpening = false;
        status.Update(s => s with { State = SocketModeState.Connecting, LastError = null });
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (live.Count == 0)
                {
                    if (waitBeforeOpening)
                    {
                        await Task.Delay(SocketModeBackoff.Delay(failures, _options.ReconnectBaseDelay, _options.ReconnectMaxDelay, _jitter), clock, cancellationToken);
                    }

                    var (connection, retryAfter) = await TryOpenAsync(appToken, cancellationToken);
                    if (connection is null)
                    {
                        failures++;
                        waitBeforeOpening = true;
                        if (retryAfter > TimeSpan.Zero)
                        {
                            await Task.Delay(retryAfter, clock, cancellationToken);
                        }

                        continue;
                    }

                    failures = 0;
                    waitBeforeOpening = true;
                    Start(connection);
                    continue;
                }

                switch (await events.Reader.ReadAsync(cancellationToken))
                {
                    case Lost lost:
                        live.Remove(lost.Connection);
                        _openConnections = [.. live];
                        await lost.Connection.DisposeAsync();
                        Publish(lost.Connection.ClosedByUs ? null : lost.Why);
                        if (!lost.Connection.ClosedByUs)
                        {
                            LogLost(lost.Connection.Id, lost.Why, live.Count);
                        }

                        break;
                    case DisconnectAsked asked when live.Contains(asked.Connection) && !asked.Connection.BeingReplaced:
                        asked.Connection.BeingReplaced = true;
                        LogDisconnectAsked(asked.Connection.Id, asked.Reason);
                        await ReplaceAsync(asked.Connection, appToken, cancellationToken);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception unexpected) when (unexpected is not SocketModeRefusedException and not OperationCanceledException)
        {
            // A bug, not Slack: say so where readiness looks, and let the host decide (by default it stops, and restarts).
            status.Update(s => s with { State = SocketModeState.Failed, LastError = $"Socket Mode failed: {unexpected.Message}" });
            throw;
        }
        catch (SocketModeRefusedException refused)
        {
            LogRefused(refused.Error);
            status.Update(s => s with
            {
                State = SocketModeState.Failed,
                LastError = $"Slack refused Slack__AppToken ({refused.Error}); Socket Mode is stopped until the token is fixed and the bot restarted.",
            });
        }
        finally
        {
            await Task.WhenAll(live.Select(c => c.CloseAsync(_options.DrainTimeout, CancellationToken.None)));
            await handlers.CancelAsync();
            await WhenAllQuietly(readers, TimeSpan.FromSeconds(3));
            foreach (var connection in live)
            {
                await connection.DisposeAsync();
            }

            status.Update(s => s with
            {
                State = s.State == SocketModeState.Failed ? SocketModeState.Failed : SocketModeState.Stopped,
                OpenConnections = 0,
            });
        }

        void Start(SocketModeConnection connection)
        {
            live.Add(connection);
            _openConnections = [.. live];
            status.Update(s => s with
            {
                State = SocketModeState.Connected,
                OpenConnections = live.Count,
                Reconnects = opened > 0 ? s.Reconnects + 1 : s.Reconnects,
                ConnectedSince = s.OpenConnections == 0 ? clock.GetUtcNow() : s.ConnectedSince,
                LastError = null,
            });
            opened++;
            LogConnected(connection.Id, connection.SlackConnections);
            readers.RemoveAll(t => t.IsCompleted);
            readers.Add(ReadAsync(connection, handler, events.Writer, handlers.Token));
        }

        void Publish(string? lastError) => status.Update(s => s with
        {
            State = live.Count > 0 ? SocketModeState.Connected : SocketModeState.Reconnecting,
            OpenConnections = live.Count,
            LastError = lastError ?? s.LastError,
        });

        // Opens the next connection while the old one still delivers, then closes the old one: no gap.
        async Task ReplaceAsync(SocketModeConnection old, string token, CancellationToken ct)
        {
            var attempt = 0;
            while (old.IsOpen && !ct.IsCancellationRequested)
            {
                var (next, retryAfter) = await TryOpenAsync(token, ct);
                if (next is not null)
                {
                    Start(next);
                    _ = old.CloseAsync(_options.DrainTimeout, CancellationToken.None);
                    return;
                }

                var wait = SocketModeBackoff.Delay(attempt++, _options.ReconnectBaseDelay, _options.ReconnectMaxDelay, _jitter);
                await Task.Delay(wait > retryAfter ? wait : retryAfter, clock, ct);
            }
        }
    }

    /// <summary>A new connection that said hello, or null and how long to wait at least (a 429's Retry-After).</summary>
    private async Task<(SocketModeConnection? Connection, TimeSpan RetryAfter)> TryOpenAsync(string appToken, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextConnectionId);
        try
        {
            // A fresh typed client per call: the factory rotates its handler, and a connection is opened rarely.
            var web = services.GetRequiredService<SlackWebClient>();
            var url = await web.OpenSocketModeConnectionAsync(appToken, cancellationToken);
            if (_options.DebugReconnects)
            {
                url = WithDebugReconnects(url);
            }

            return (await SocketModeConnection.OpenAsync(id, url, _options, cancellationToken), TimeSpan.Zero);
        }
        catch (SlackApiException exception) when (SocketModeProtocol.UnrecoverableErrors.Contains(exception.Error))
        {
            throw new SocketModeRefusedException(exception.Error, exception);
        }
        catch (SlackRateLimitedException exception)
        {
            Failed(id, exception.Message);
            return (null, exception.RetryAfter);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Anything else (Slack's errors, timeouts, a refused WebSocket, no hello) may pass: retry with backoff.
            Failed(id, exception.Message);
            return (null, TimeSpan.Zero);
        }

        void Failed(int connection, string why)
        {
            LogOpenFailed(connection, why);
            status.Update(s => s with { LastError = why });
        }
    }

    /// <summary>Reads one connection until it ends, answering each envelope on its own task; then reports the loss.</summary>
    private async Task ReadAsync(
        SocketModeConnection connection, ISocketModeHandler handler, ChannelWriter<ConnectionEvent> events, CancellationToken handlerToken)
    {
        await Task.Yield();
        var why = "Slack closed the connection";
        var answers = new List<Task>();
        try
        {
            while (await connection.ReceiveAsync(CancellationToken.None) is { } text)
            {
                SocketModeEnvelope envelope;
                try
                {
                    envelope = SocketModeEnvelope.Parse(text);
                }
                catch (JsonException)
                {
                    LogUnreadable(connection.Id);
                    continue;
                }

                switch (envelope.Type)
                {
                    case SocketModeProtocol.Hello:
                        break;
                    case SocketModeProtocol.Disconnect:
                        events.TryWrite(new DisconnectAsked(connection, envelope.Reason ?? "unknown"));
                        break;
                    default:
                        if (envelope.EnvelopeId is not null)
                        {
                            connection.BeginEnvelope();
                            answers.RemoveAll(t => t.IsCompleted);
                            answers.Add(AnswerAsync(connection, envelope, handler, handlerToken));
                        }

                        break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            why = $"the connection broke ({exception.Message})";
        }

        await WhenAllQuietly(answers, _options.DrainTimeout);
        events.TryWrite(new Lost(connection, why));
    }

    private async Task AnswerAsync(SocketModeConnection connection, SocketModeEnvelope envelope, ISocketModeHandler handler, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            string? payload = null;
            try
            {
                payload = await handler.HandleAsync(envelope, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // An empty acknowledgement at least stops Slack from retrying into the same failure.
                LogHandlerFailed(exception, envelope.Type, envelope.EnvelopeId!);
            }

            var ack = SocketModeAck.Serialize(envelope.EnvelopeId!, payload);
            // An acknowledgement counts on any of the app's connections (Slack's SDKs send it on whichever is current):
            // one whose envelope came just as its connection was being closed still goes out, on the next one.
            foreach (var candidate in _openConnections.Where(c => c != connection).Prepend(connection))
            {
                if (await TrySendAsync(candidate, ack))
                {
                    LogAcknowledged(envelope.Type, envelope.EnvelopeId!, envelope.RetryAttempt, candidate.Id);
                    return;
                }
            }

            LogAckLost(envelope.EnvelopeId!, connection.Id);
        }
        finally
        {
            connection.EndEnvelope();
        }
    }

    private static async Task<bool> TrySendAsync(SocketModeConnection connection, string text)
    {
        if (!connection.CanSend)
        {
            return false;
        }

        try
        {
            await connection.SendAsync(text, CancellationToken.None);
            return true;
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    private static Uri WithDebugReconnects(Uri url)
    {
        var builder = new UriBuilder(url);
        var parameter = $"{SocketModeProtocol.DebugReconnectsParameter}=true";
        builder.Query = string.IsNullOrEmpty(builder.Query) || builder.Query == "?" ? parameter : builder.Query.TrimStart('?') + "&" + parameter;
        return builder.Uri;
    }

    private static async Task WhenAllQuietly(IEnumerable<Task> tasks, TimeSpan timeout)
    {
        try
        {
            await Task.WhenAll(tasks).WaitAsync(timeout);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException or WebSocketException)
        {
            // Whatever did not finish in time is abandoned: the host is stopping or the connection is gone.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Socket Mode connection {Connection} is open (Slack counts {SlackConnections} for the app)")]
    private partial void LogConnected(int connection, int? slackConnections);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack will close Socket Mode connection {Connection} ({Reason}); opening the next one before letting it go")]
    private partial void LogDisconnectAsked(int connection, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Socket Mode connection {Connection} was lost: {Why}; {Remaining} still open")]
    private partial void LogLost(int connection, string why, int remaining);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not open Socket Mode connection {Connection}: {Why}; retrying with backoff")]
    private partial void LogOpenFailed(int connection, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Socket Mode stopped: Slack refused the app-level token ({Error}). Set Slack__AppToken to the app's xapp-… token with the connections:write scope (api.slack.com/apps → Basic Information → App-Level Tokens) and restart the bot.")]
    private partial void LogRefused(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an unreadable Socket Mode message on connection {Connection}")]
    private partial void LogUnreadable(int connection);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering the {Type} envelope {EnvelopeId} failed; acknowledging it empty")]
    private partial void LogHandlerFailed(Exception exception, string type, string envelopeId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Acknowledged the {Type} envelope {EnvelopeId} (retry {RetryAttempt}) on connection {Connection}")]
    private partial void LogAcknowledged(string type, string envelopeId, int retryAttempt, int connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The acknowledgement of envelope {EnvelopeId} could not be sent: connection {Connection} is gone; Slack will retry it")]
    private partial void LogAckLost(string envelopeId, int connection);
}
