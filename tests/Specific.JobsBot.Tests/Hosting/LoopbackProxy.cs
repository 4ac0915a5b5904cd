using System.Net;
using System.Net.Sockets;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>
/// A TCP relay on a loopback port to a real server, which a test can cut: the connections through it drop and the
/// port is closed, as when a database becomes unreachable under a running bot.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly string targetHost;
    private readonly int targetPort;
    private readonly CancellationTokenSource cut = new();
    private readonly List<TcpClient> connections = [];
    private readonly Lock gate = new();
    private readonly Task accepting;

    public LoopbackProxy(string targetHost, int targetPort)
    {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Closes the port and every connection through it.</summary>
    public async Task CutAsync()
    {
        await cut.CancelAsync();
        listener.Stop();
        lock (gate)
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }

            connections.Clear();
        }

        try
        {
            await accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped on purpose.
        }
    }

    private async Task AcceptAsync()
    {
        while (!cut.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(cut.Token);
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(targetHost, targetPort, cut.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (gate)
            {
                connections.Add(client);
                connections.Add(server);
            }

            _ = PumpAsync(client.GetStream(), server.GetStream());
            _ = PumpAsync(server.GetStream(), client.GetStream());
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        try
        {
            await from.CopyToAsync(to, cut.Token);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // One side went away, or the proxy was cut.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!cut.IsCancellationRequested)
        {
            await CutAsync();
        }

        cut.Dispose();
    }
}
