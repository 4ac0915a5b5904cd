using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Specific.Slack.SocketMode;

/// <summary>A new connection failed before it could deliver: no WebSocket, no hello, or something else than hello first.</summary>
public sealed class SocketModeHandshakeException : Exception
{
    public SocketModeHandshakeException(string message, Exception? innerException = null) : base(message, innerException) { }

    public SocketModeHandshakeException() : this("The Socket Mode handshake failed.") { }

    public SocketModeHandshakeException(string message) : this(message, null) { }
}

/// <summary>
/// One Socket Mode WebSocket: connected, greeted with hello, then read until it closes. Sends are serialized (a
/// WebSocket takes one at a time); receives run on one loop. Counts the envelopes it has not acknowledged yet, so a
/// replaced connection closes only after its answers are out.
/// </summary>
internal sealed class SocketModeConnection : IAsyncDisposable
{
    /// <summary>Slack's payloads stay far below this; a larger message is refused rather than buffered.</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private int _pending;
    private int _closingByUs;

    private SocketModeConnection(int id, ClientWebSocket socket, int? slackConnections)
    {
        Id = id;
        _socket = socket;
        SlackConnections = slackConnections;
    }

    /// <summary>This process's number for the connection (1, 2, …), for logs.</summary>
    public int Id { get; }

    /// <summary>How many connections Slack said the app holds, in its hello.</summary>
    public int? SlackConnections { get; }

    /// <summary>True once Slack asked to disconnect it and its replacement is being opened.</summary>
    public bool BeingReplaced { get; set; }

    /// <summary>True when we closed it (replaced, or shutting down), not Slack or the network.</summary>
    public bool ClosedByUs => Volatile.Read(ref _closingByUs) == 1;

    public bool IsOpen => _socket.State == WebSocketState.Open && !ClosedByUs;

    /// <summary>True while a message can still go out: open, or draining before our close frame.</summary>
    public bool CanSend => _socket.State == WebSocketState.Open;

    /// <summary>Connects to <paramref name="url"/> and waits for Slack's hello, all within <paramref name="helloTimeout"/>.</summary>
    public static async Task<SocketModeConnection> OpenAsync(
        int id, Uri url, SocketModeOptions options, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = options.KeepAliveTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.HelloTimeout);
        try
        {
            await socket.ConnectAsync(url, deadline.Token);
            var first = await ReceiveTextAsync(socket, deadline.Token)
                ?? throw new SocketModeHandshakeException($"Slack closed connection {id} before saying hello ({socket.CloseStatus} {socket.CloseStatusDescription}).");
            var hello = SocketModeEnvelope.Parse(first);
            if (hello.Type != SocketModeProtocol.Hello)
            {
                throw new SocketModeHandshakeException($"Connection {id} began with '{hello.Type}', not hello.");
            }

            return new SocketModeConnection(id, socket, hello.NumConnections);
        }
        catch (Exception exception) when (exception is not SocketModeHandshakeException)
        {
            socket.Abort();
            socket.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var why = exception switch
            {
                OperationCanceledException => $"no hello within {options.HelloTimeout.TotalSeconds:0.#} s",
                JsonException => "the first message was not JSON",
                _ => exception.Message,
            };
            throw new SocketModeHandshakeException($"Connection {id} failed: {why}.", exception);
        }
        catch
        {
            socket.Abort();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The next text message, or null once the connection is closed. Throws when it breaks.</summary>
    public Task<string?> ReceiveAsync(CancellationToken cancellationToken) => ReceiveTextAsync(_socket, cancellationToken);

    /// <summary>Sends one text message; concurrent callers take turns.</summary>
    public async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>An envelope arrived and is being answered.</summary>
    public void BeginEnvelope() => Interlocked.Increment(ref _pending);

    /// <summary>An envelope's acknowledgement went out (or could not).</summary>
    public void EndEnvelope() => Interlocked.Decrement(ref _pending);

    /// <summary>
    /// Closes the connection as a good client does: waits (up to <paramref name="drain"/>) for the acknowledgements of
    /// the envelopes it received, sends a close frame and lets the read loop see Slack's answer; aborts if Slack never answers.
    /// </summary>
    public async Task CloseAsync(TimeSpan drain, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closingByUs, 1) == 1)
        {
            return;
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref _pending) > 0 && waited.Elapsed < drain && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }

        try
        {
            using var closeDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _sendLock.WaitAsync(closeDeadline.Token);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", closeDeadline.Token);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    /// <summary>Drops the connection at once, without a close handshake.</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref _closingByUs, 1);
        _socket.Abort();
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<string?> ReceiveTextAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    // Slack closed first: answer its close frame so the handshake completes.
                    using var closeDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    try
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", closeDeadline.Token);
                    }
                    catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
                    {
                        socket.Abort();
                    }
                }

                return null;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > MaxMessageBytes)
            {
                throw new WebSocketException(WebSocketError.Faulted, $"A Socket Mode message exceeded {MaxMessageBytes} bytes.");
            }

            if (result.EndOfMessage)
            {
                return result.MessageType == WebSocketMessageType.Text ? Encoding.UTF8.GetString(buffer.WrittenSpan) : "";
            }
        }
    }
}
