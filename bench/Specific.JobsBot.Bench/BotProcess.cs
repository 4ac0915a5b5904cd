using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Specific.JobsBot.Bench;

/// <summary>
/// The bot (or its worker role) as a separate process (<c>dotnet Specific.JobsBot.dll</c>, the Release build)
/// configured by environment variables.
/// </summary>
public sealed class BotProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Process _process;

    private BotProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public Uri CommandsUrl => new(Url, "/slack/commands");

    /// <summary>The bot's last output lines, for error messages.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>The process id, to read its CPU and memory.</summary>
    public Process Process => _process;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the bot and waits for GET /healthz to answer 200.</summary>
    /// <param name="arguments">The command line after the dll: none for the bot role, <c>worker</c> for the Temporal worker.</param>
    public static async Task<BotProcess> StartAsync(
        Uri url, IReadOnlyDictionary<string, string> environment, CancellationToken ct, IReadOnlyList<string>? arguments = null)
    {
        var dll = BotAssemblyPath();
        var role = arguments is { Count: > 0 } ? arguments[0] : "bot";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var bot = new BotProcess(process, url);
        process.OutputDataReceived += (_, e) => bot.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => bot.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var health = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The {role} exited with code {process.ExitCode} while starting:\n{bot.RecentOutput}");
            }
            try
            {
                using var answer = await health.GetAsync(new Uri(url, "/healthz"), ct);
                if (answer.IsSuccessStatusCode)
                {
                    return bot;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Slow to answer while it starts.
            }
            await Task.Delay(100, ct);
        }
        await bot.DisposeAsync();
        throw new TimeoutException($"The {role} did not answer /healthz within 60 s:\n{bot.RecentOutput}");
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

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }

    /// <summary>The bot's own Release build, else the copy built beside this benchmark.</summary>
    private static string BotAssemblyPath()
    {
        var built = Path.Combine(ResultFiles.RepositoryRoot(), "src", "Specific.JobsBot", "bin", "Release", "net10.0", "Specific.JobsBot.dll");
        if (File.Exists(built))
        {
            return built;
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "Specific.JobsBot.dll");
        return File.Exists(beside) ? beside : throw new FileNotFoundException("Specific.JobsBot.dll was not built in Release.", built);
    }
}
