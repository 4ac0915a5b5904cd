using System.Diagnostics;
using System.Globalization;
using System.Text;
using Specific.JobsBot.Bench;

// Usage: dotnet run -c Release --project bench/Specific.JobsBot.Bench -- <all|ack|ack-profile|live|logs|prune> [--engine temporal|inprocess] [--jobs N] ...
var what = args.Length > 0 ? args[0] : "all";
var rest = args.Skip(1).ToList();
var engineAt = rest.IndexOf(BotEngines.Option);
var engines = BotEngines.Parse(engineAt < 0 ? null : rest.ElementAtOrDefault(engineAt + 1) ?? "");
if (engineAt >= 0)
{
    rest.RemoveRange(engineAt, Math.Min(2, rest.Count - engineAt));
}
var options = Options.Parse([.. rest]);
if (options is null || engines is null || what is not ("all" or "ack" or "ack-profile" or "live" or "logs" or "prune"))
{
    if (engines is null)
    {
        Console.Error.WriteLine("--engine takes temporal or inprocess (leave it out to measure both).");
    }
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

var live = new LiveOptions(
    options.GetValueOrDefault("jobs", 500), options.GetValueOrDefault("seconds", 120), options.GetValueOrDefault("channels", 25),
    options.GetValueOrDefault("sampled", 50), options.GetValueOrDefault("grace", 300), options.GetValueOrDefault("posts-per-minute", 0));
var lines = options.GetValueOrDefault("lines", 200_000);
var requests = options.GetValueOrDefault("requests", AckBench.DefaultMaxRequests);
var prune = new PruneOptions(
    options.GetValueOrDefault("prune-lines", 1_000_000), options.GetValueOrDefault("writers", 50), options.GetValueOrDefault("baseline-seconds", 15));
var machine = Machine.Describe();
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(90));
var clock = Stopwatch.StartNew();
var verdicts = new List<Verdict>();
var all = new StringBuilder();

async Task RunAsync(string name, Func<Task<BenchResult>> bench)
{
    var result = await bench();
    ResultFiles.Save(machine, name, result.Report);
    verdicts.AddRange(result.Verdicts);
    all.AppendLine(result.Report);
}

// One live run per engine, one after the other, each saved as <name>-<engine>.
async Task RunLiveAsync(string name, LiveOptions size)
{
    foreach (var engine in engines)
    {
        await RunAsync($"{name}-{engine.Name()}", () => LiveBench.RunAsync(machine, size, engine, stop.Token));
    }
}

switch (what)
{
    case "ack-profile":
        await RunAsync("ack-profile", () => AckProfile.RunAsync(machine, stop.Token));
        break;
    case "ack":
        await RunAsync("ack", () => AckBench.RunAsync(machine, engines, requests, stop.Token));
        break;
    case "live":
        await RunLiveAsync("live", live);
        break;
    case "logs":
        await RunAsync("logs", () => LogsBench.RunAsync(machine, lines, stop.Token));
        break;
    case "prune":
        await RunAsync(prune == new PruneOptions(1_000_000, 50, 15) ? "prune" : "prune-small-check", () => PruneBench.RunAsync(machine, prune, stop.Token));
        break;
    default:
        await RunAsync("ack", () => AckBench.RunAsync(machine, engines, requests, stop.Token));
        await RunLiveAsync("live", live);
        // The same jobs where Slack's limits leave room for the target: more channels and a larger workspace post
        // budget, so the run shows what the bot itself adds to the lag.
        await RunLiveAsync("live-spread", live with { Channels = 100, PostsPerMinute = 6000 });
        await RunAsync("logs", () => LogsBench.RunAsync(machine, lines, stop.Token));
        await RunAsync("prune", () => PruneBench.RunAsync(machine, prune, stop.Token));
        break;
}

var summary = new StringBuilder()
    .AppendLine(CultureInfo.InvariantCulture, $"Issue 8 benchmarks ({what}), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {clock.Elapsed.TotalMinutes:N1} min")
    .AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}; load average now {AckBench.LoadAverage()}")
    .AppendLine()
    .Append(Verdict.Table(verdicts))
    .ToString();
Console.WriteLine();
Console.WriteLine(summary);
if (what == "all")
{
    ResultFiles.Save(machine, "all", summary + "\n\n" + all);
}
return 0;

/// <summary>The "--name value" integer options (<c>--engine</c> is taken out before).</summary>
internal static class Options
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Specific.JobsBot.Bench -- <all|ack|ack-profile|live|logs|prune> [options]
          all:   ack, then live (as given, then over 100 channels with 6000 posts/min), then logs, then prune; prints a summary and saves every output
          ack, live, all:  --engine temporal|inprocess  the job engine measured (default: both, Temporal first)
          ack:   --requests 200  at most this many requests per cell (concurrency 1 sends at most 100)
          live:  --jobs 500 --seconds 120 --channels 25 --sampled 50 --grace 300
                 --posts-per-minute N  the keeper's workspace-wide chat.postMessage budget (default: the bot's, 300)
          logs:  --lines 200000
          prune: --prune-lines 1000000 --writers 50 --baseline-seconds 15  (PostgreSQL too when JOBSBOT_TEST_POSTGRES is set)
        """;

    public static Dictionary<string, int>? Parse(string[] args)
    {
        var parsed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length
                || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                return null;
            }
            parsed[args[i][2..]] = value;
        }
        return parsed;
    }
}
