namespace Specific.JobsBot.Bench;

/// <summary>
/// The processes a benchmark measures: the bot and, on the Temporal engine, the separate worker process that runs the
/// RunJob workflow, both on the same configuration and the same store, as a deployment runs them.
/// </summary>
public sealed class BotUnderTest : IAsyncDisposable
{
    private BotUnderTest(BotProcess bot, BotProcess? worker)
    {
        Bot = bot;
        Worker = worker;
    }

    public BotProcess Bot { get; }

    /// <summary>The <c>worker</c> role's process; null on the in-process engine, where the bot runs the jobs itself.</summary>
    public BotProcess? Worker { get; }

    /// <summary>How the processes run, for the report's header.</summary>
    public static string Describe(BotEngine engine) => engine == BotEngine.Temporal
        ? "Bot__Engine=Temporal: the bot starts RunJob on the Temporal stand-in in the bench process and a separate worker process (`worker` role, same settings and store) runs it"
        : "Bot__Engine=InProcess: the bot runs every job itself";

    /// <summary>Starts the worker first (so RunJob has a poller when the first job starts), then the bot; each waits for /healthz.</summary>
    public static async Task<BotUnderTest> StartAsync(Stand stand, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stand);
        BotProcess? worker = null;
        if (stand.Engine == BotEngine.Temporal)
        {
            // The worker serves /healthz and /metrics too, so it needs a port of its own.
            var workerUrl = new Uri($"http://127.0.0.1:{BotProcess.FreePort()}");
            var workerEnvironment = new Dictionary<string, string>(environment, StringComparer.Ordinal) { ["Bot__Url"] = workerUrl.ToString().TrimEnd('/') };
            worker = await BotProcess.StartAsync(workerUrl, workerEnvironment, ct, ["worker"]);
        }
        try
        {
            var bot = await BotProcess.StartAsync(stand.BotUrl, environment, ct);
            return new BotUnderTest(bot, worker);
        }
        catch
        {
            if (worker is not null)
            {
                await worker.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>Why the measurement cannot go on: a process that exited, with its last output lines; null while both run.</summary>
    public string? Exited(int lines)
    {
        foreach (var (name, process) in new[] { ("bot", Bot), ("worker", Worker) })
        {
            if (process is { Process.HasExited: true })
            {
                return $"The {name} EXITED (code {process.Process.ExitCode}):\n{string.Join('\n', process.RecentOutput.Split('\n').TakeLast(lines))}";
            }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }
    }
}
