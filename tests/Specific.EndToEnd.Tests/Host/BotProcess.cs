using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Specific.EndToEnd.Tests.Host;

/// <summary>The bot as a real, separate process (<c>dotnet Specific.JobsBot.dll</c>) configured by environment variables, so a test can SIGKILL it.</summary>
public sealed class BotProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 400;
    private static readonly HttpClient Health = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };

    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly IReadOnlyList<string> _arguments;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    /// <param name="arguments">The command line after the dll: none for the bot role, <c>worker</c> for the Temporal worker.</param>
    public BotProcess(Uri url, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? arguments = null)
    {
        Url = url;
        _environment = environment;
        _arguments = arguments ?? [];
    }

    /// <summary>Where the bot listens; the same port across restarts, as Slack's request URL stays the same.</summary>
    public Uri Url { get; }

    /// <summary>How many times the process was started.</summary>
    public int Starts { get; private set; }

    /// <summary>The last lines the bot wrote (stdout and stderr), for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the process and waits until GET /healthz answers 200.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("The bot is already running.");
        }

        var dll = BotAssemblyPath();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        Starts++;
        var started = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var run = Starts;
        started.OutputDataReceived += (_, e) => Keep(run, e.Data);
        started.ErrorDataReceived += (_, e) => Keep(run, e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        _process = started;

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (started.HasExited)
            {
                throw new InvalidOperationException($"The bot exited with code {started.ExitCode} while starting:\n{RecentOutput}");
            }
            try
            {
                using var answer = await Health.GetAsync(new Uri(Url, "/healthz"), ct);
                if (answer.IsSuccessStatusCode)
                {
                    return;
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
        throw new TimeoutException($"The bot did not answer /healthz within 90 s:\n{RecentOutput}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no lease released, nothing flushed, as an OOM kill or a node loss.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } running)
        {
            return;
        }
        if (!running.HasExited)
        {
            running.Kill(entireProcessTree: false);
        }
        await running.WaitForExitAsync(CancellationToken.None);
        Keep(Starts, $"--- bot killed (SIGKILL), exit code {running.ExitCode} ---");
        running.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private void Keep(int run, string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue($"[bot#{run}] {line}");
        while (_output.Count > KeptOutputLines && _output.TryDequeue(out _))
        {
        }
    }

    /// <summary>The bot project's own build output (same configuration as this test assembly), else the copy beside the tests.</summary>
    private static string BotAssemblyPath()
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testDirectory.Name;
        var configuration = testDirectory.Parent?.Name ?? "Debug";
        for (var directory = testDirectory; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Specific.JobsBot.sln")))
            {
                var built = Path.Combine(directory.FullName, "src", "Specific.JobsBot", "bin", configuration, framework, "Specific.JobsBot.dll");
                if (File.Exists(built))
                {
                    return built;
                }
                break;
            }
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "Specific.JobsBot.dll");
        return File.Exists(beside) ? beside : throw new FileNotFoundException("Specific.JobsBot.dll was not built.", beside);
    }
}
