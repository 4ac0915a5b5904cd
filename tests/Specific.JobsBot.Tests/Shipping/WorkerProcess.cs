using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>
/// The worker role as the worker Deployment runs it: <c>Specific.JobsBot.dll worker</c> in a process of its own,
/// configured by environment variables, listening on a free loopback port for /healthz, /readyz and /metrics.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>What the worker printed, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts the worker with <paramref name="environment"/> (Bot__Url is chosen here) and waits until /healthz answers.</summary>
    public static async Task<WorkerProcess> StartAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Specific.JobsBot.dll"));
        start.ArgumentList.Add("worker");
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["Bot__Url"] = url.ToString().TrimEnd('/');
        var worker = new WorkerProcess(Process.Start(start)!, url);
        worker._process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        worker._process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        try
        {
            await worker.WaitUntilLiveAsync(cancellationToken);
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }

        return worker;
    }

    /// <summary>GET a path of the worker's listener; the body, whatever the status.</summary>
    public async Task<string> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var answer = await Http.GetAsync(new Uri(Url, path), cancellationToken);
        return await answer.Content.ReadAsStringAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
    }

    private async Task WaitUntilLiveAsync(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The worker exited with code {_process.ExitCode} while starting:\n{Output}");
            }

            try
            {
                using var answer = await Http.GetAsync(new Uri(Url, "/healthz"), cancellationToken);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The worker did not answer /healthz within 90 s:\n{Output}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 300 && _output.TryDequeue(out _))
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
