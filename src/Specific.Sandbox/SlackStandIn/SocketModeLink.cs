using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>One accepted WebSocket: sends take turns; its end is recorded once.</summary>
internal sealed class SocketModeLink(int id, HttpContext http, WebSocket socket, DateTimeOffset openedAt, bool debugReconnects)
{
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly List<string> _disconnects = [];
    private DateTimeOffset? _closedAt;
    private bool _greeted;

    public int Id { get; } = id;
    public WebSocket Socket { get; } = socket;
    public SocketModeEnd End { get; private set; } = SocketModeEnd.Open;
    public bool ClosingBySlack { get; set; }

    /// <summary>Set once hello went out; before that nothing else may be sent on it.</summary>
    public bool Greeted
    {
        get => Volatile.Read(ref _greeted);
        set => Volatile.Write(ref _greeted, value);
    }

    /// <summary>Greeted and not ended: envelopes and disconnects may go out on it.</summary>
    public bool Deliverable => Greeted && End == SocketModeEnd.Open;

    public void NoteDisconnect(string reason)
    {
        lock (_disconnects)
            _disconnects.Add(reason);
    }

    /// <summary>Told refresh_requested (or another reason than warning): Slack sends it nothing new if it can help it.</summary>
    public bool Retiring
    {
        get
        {
            lock (_disconnects)
                return _disconnects.Any(r => r != "warning");
        }
    }

    public void MarkEnded(SocketModeEnd end, DateTimeOffset at)
    {
        lock (_disconnects)
        {
            if (End != SocketModeEnd.Open)
                return;
            End = end;
            _closedAt = at;
        }
    }

    public SocketModeConnectionInfo Info()
    {
        lock (_disconnects)
            return new SocketModeConnectionInfo(Id, openedAt, debugReconnects, _closedAt, End, _disconnects.ToList());
    }

    public async Task SendAsync(JsonObject message, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _send.WaitAsync(ct);
        try
        {
            await Socket.SendAsync(bytes, WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Cuts the TCP connection: no close frame, as when a network path dies.</summary>
    public void Drop()
    {
        // The connection first: once the socket is aborted the request may end and its context be disposed.
        try
        {
            http.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The request already ended: its connection is gone.
        }

        AbortSocket();
    }

    /// <summary>Aborts the socket; once its request has ended, aborting reaches a disposed context, and there is nothing left to cut.</summary>
    private void AbortSocket()
    {
        try
        {
            Socket.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The request already ended: its connection is gone.
        }
    }

    public async Task CloseAsync(string why)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _send.WaitAsync(deadline.Token);
            try
            {
                if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, why, deadline.Token);
            }
            finally
            {
                _send.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            AbortSocket();
        }
    }
}
