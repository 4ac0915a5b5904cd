using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Specific.Sandbox.SlackStandIn;

namespace Specific.JobsBot.Bench;

/// <summary>How big the many-live-jobs run is.</summary>
/// <param name="Jobs">Jobs started at once.</param>
/// <param name="Seconds">Each job prints one line a second for this long.</param>
/// <param name="Channels">The jobs are spread over this many channels (Slack paces posts per channel).</param>
/// <param name="Sampled">Threads whose lines are timed (evenly spread over the jobs); every thread is posted to alike.</param>
/// <param name="Grace">How long after the last line is printed the bench still waits for lines to become readable.</param>
/// <param name="PostsPerMinute">The keeper's workspace-wide chat.postMessage budget; 0 leaves the bot's default.</param>
public sealed record LiveOptions(int Jobs = 500, int Seconds = 120, int Channels = 25, int Sampled = 50, int Grace = 300, int PostsPerMinute = 0)
{
    /// <summary>The bot's own default (Threads:MethodsPerMinute:chat.postMessage).</summary>
    public const int DefaultPostsPerMinute = 300;

    /// <summary>The keeper's channel pace (Threads:ChannelPostsPerSecond), Slack's "about one a second per channel".</summary>
    public const double ChannelPostsPerSecond = 1;

    public int EffectivePostsPerMinute => PostsPerMinute > 0 ? PostsPerMinute : DefaultPostsPerMinute;

    /// <summary>
    /// The best the limits allow: each job's thread can get one post this often when every post slot of every channel
    /// and of the workspace budget is spent on output, so a line printed just after a post waits this long for the next.
    /// </summary>
    public double SecondsBetweenPostsPerJob =>
        Jobs / Math.Min(Math.Min(Channels, Jobs) * ChannelPostsPerSecond, EffectivePostsPerMinute / 60.0);
}

/// <summary>
/// Item 2: hundreds of jobs printing at once. The simulator's ticker workload prints "tick i/n at &lt;unix ms&gt;" a second
/// per pod into the pod log the bot follows; the bench reads the threads through conversations.replies (with the
/// stand-in's observer token: outside the rate tiers, not counted as the bot's calls) and times each line from its
/// print to the first poll that sees it.
/// </summary>
public static partial class LiveBench
{
    internal const string ObserverToken = "xoxp-bench-observer";

    private const string TickerManifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: ticker
          namespace: production
          labels:
            app: ticker
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: ticker
          template:
            metadata:
              labels:
                app: ticker
              annotations:
                sandbox.specific.dev/simulate: ticker
            spec:
              containers:
                - name: ticker
                  image: registry.example.com/ticker:1.0.0
                  command: ["/usr/local/bin/ticker"]
        """;

    /// <summary>The Slack limits each method is held to, as shared/SLACK.md gives them (per workspace unless said).</summary>
    private static readonly Dictionary<string, string> Limits = new(StringComparer.Ordinal)
    {
        ["chat.postMessage"] = "1/s per channel (burst 3)",
        ["chat.update"] = "tier 3: 50/min",
        ["chat.delete"] = "tier 3: 50/min",
        ["conversations.info"] = "tier 3: 50/min",
        ["chat.postEphemeral"] = "tier 4: 100/min",
        ["views.open"] = "tier 4: 100/min",
        ["users.info"] = "tier 4: 100/min",
        ["files.getUploadURLExternal"] = "tier 4: 100/min",
        ["files.completeUploadExternal"] = "tier 4: 100/min",
    };

    public static async Task<BenchResult> RunAsync(Machine machine, LiveOptions options, BotEngine engine, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        Say($"Many live jobs on the {engine.Name()} engine, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say($"Machine: {machine}; load average at start {AckBench.LoadAverage()}");
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Load: {options.Jobs} jobs `job run ticker ticker {options.Seconds}` over {options.Channels} channels, each printing a line a second for {options.Seconds} s (simulator ticker workload, pod log followed over HTTP by {(engine == BotEngine.Temporal ? "the worker's RunJob activity" : "the bot")})."));
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Bot: separate Release process, {BotUnderTest.Describe(engine)}; SQLite store, default thread pacing; stand-in rate limits ON. Lag timed on {Math.Min(options.Sampled, options.Jobs)} evenly spread threads, each polled once a second through conversations.replies with an observer token that BYPASSES the tier-3 limit (polling {Math.Min(options.Sampled, options.Jobs)} threads a second within 50 calls a minute is impossible) and is not counted as the bot's calls."));
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Limits: {LiveOptions.ChannelPostsPerSecond:N0} post/s per channel (Slack) and {options.EffectivePostsPerMinute:N0} chat.postMessage/min across the workspace (the keeper's budget{(options.PostsPerMinute > 0 ? ", set by --posts-per-minute" : ", its default")}): with every slot spent on output, each of {options.Jobs} threads can get a post every {options.SecondsBetweenPostsPerJob:N1} s at best, so a line's lag can reach that however fast the bot is."));
        Say("");

        var signingSecret = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var dataDirectory = Directory.CreateTempSubdirectory("jobsbot-live-").FullName;
        var manifest = Path.Combine(dataDirectory, "ticker.yaml");
        await File.WriteAllTextAsync(manifest, TickerManifest, ct);
        await using var stand = await Stand.StartAsync(signingSecret, ct, engine, o => o.ObserverToken = ObserverToken, manifest);
        var environment = stand.BotEnvironment("sqlite", postgresConnection: null, dataDirectory);
        if (options.PostsPerMinute > 0)
        {
            environment["Threads__MethodsPerMinute__chat.postMessage"] = options.PostsPerMinute.ToString(CultureInfo.InvariantCulture);
        }

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(30) };
        await using var processes = await BotUnderTest.StartAsync(stand, environment, ct);
        var bot = processes.Bot;
        await using var sampler = new ProcessSampler(bot.Process.Id);
        await using var workerSampler = processes.Worker is { } worker ? new ProcessSampler(worker.Process.Id) : null;
        var channels = Enumerable.Range(1, options.Channels).Select(i => string.Create(CultureInfo.InvariantCulture, $"C0LIVE{i:D3}")).ToList();
        var watcher = new ThreadWatcher(http, stand.Slack.ApiBaseUrl, channels, options);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watch = watcher.RunAsync(watching.Token);

        // Start every job: the commands go out across the channels, 16 in flight.
        var submitted = Stopwatch.StartNew();
        var acknowledged = 0;
        var failures = new ConcurrentBag<string>();
        var perChannel = channels.Select((channel, i) => (channel, count: options.Jobs / channels.Count + (i < options.Jobs % channels.Count ? 1 : 0))).ToList();
        await Parallel.ForEachAsync(perChannel, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (share, token) =>
        {
            var load = new SlashCommandLoad(http, signingSecret, share.channel, "U0SANDBOX", new Uri(stand.Slack.BaseUrl, "bench-response/"));
            var result = await load.RunAsync(bot.CommandsUrl, string.Create(CultureInfo.InvariantCulture, $"job run ticker ticker {options.Seconds}"), 1, share.count, TimeSpan.FromMinutes(2), token);
            Interlocked.Add(ref acknowledged, result.LatenciesMs.Count);
            if (result.FirstFailure is { } failure)
            {
                failures.Add(failure);
            }
        });
        Say(string.Create(CultureInfo.InvariantCulture,
            $"{acknowledged} of {options.Jobs} commands acknowledged in {submitted.Elapsed.TotalSeconds:N1} s{(failures.IsEmpty ? "" : "; first failure: " + failures.First())}"));

        // Wait for every sampled line, or until the grace after the last line's print has run out.
        var deadline = TimeSpan.FromSeconds(options.Seconds + options.Grace) + submitted.Elapsed;
        while (submitted.Elapsed < deadline && !watcher.AllSeen && processes.Exited(30) is null)
        {
            await Task.Delay(1000, ct);
        }
        var waited = submitted.Elapsed;
        await watching.CancelAsync();
        await watch;
        if (processes.Exited(30) is { } exited)
        {
            Say(exited);
        }

        var calls = stand.Slack.Calls;
        var example = watcher.FirstSampled is { } sample ? Timeline(stand.Slack, sample.Channel, sample.Ts) : "no sampled thread";
        var lags = watcher.Lags();
        var expected = watcher.SampledThreads * options.Seconds;
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Watched {watcher.SampledThreads} threads (of {watcher.ThreadsFound} job messages found) for {waited.TotalSeconds:N0} s; {lags.Count} of {expected} sampled lines became readable, {expected - lags.Count} did not within {options.Grace} s after the run (shown as skipped by the bot, or still queued)."));
        Say("");
        Say(LagTable(lags, expected));
        Say(example);
        Say(CallTable(calls));
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Bot process: {Usage(sampler, waited)}; Slack stand-in saw {stand.Slack.DeadlineMisses.Count} missed deadlines."));
        if (workerSampler is not null)
        {
            Say(string.Create(CultureInfo.InvariantCulture,
                $"Worker process: {Usage(workerSampler, waited)}; {stand.Temporal!.Workflows().Count} RunJob workflows on the Temporal stand-in."));
        }
        Say("");
        var p99 = Percentile(lags, expected, 0.99);
        var tooMany429 = calls.Count(c => c.StatusCode == 429);
        Say("target                         measured      verdict");
        Say(string.Create(CultureInfo.InvariantCulture, $"{"thread lag p99 <= 10 s",-30} {FormatLag(p99),-13} {(p99 <= 10_000 ? "ok" : "MISSED")}"));
        Say(string.Create(CultureInfo.InvariantCulture, $"{"0 x 429 from our own pacing",-30} {tooMany429,-13} {(tooMany429 == 0 ? "ok" : "MISSED")}"));
        Say(string.Create(CultureInfo.InvariantCulture, $"{"bot peak RSS <= 300 MB",-30} {sampler.PeakRssMiB,-13:N0} {(sampler.PeakRssMiB <= 300 ? "ok" : "MISSED")}"));
        if (workerSampler is not null)
        {
            Say(string.Create(CultureInfo.InvariantCulture, $"{"worker peak RSS <= 300 MB",-30} {workerSampler.PeakRssMiB,-13:N0} {(workerSampler.PeakRssMiB <= 300 ? "ok" : "MISSED")}"));
        }
        Say("");
        Say($"Load average at end {AckBench.LoadAverage()}.");
        Say(string.Create(CultureInfo.InvariantCulture, $"Total run time {started.Elapsed.TotalSeconds:N0} s."));
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
        var size = string.Create(CultureInfo.InvariantCulture,
            $"{options.Jobs} jobs x {options.Seconds} s, {options.Channels} channels, {options.EffectivePostsPerMinute} posts/min (floor {options.SecondsBetweenPostsPerJob:N0} s)");
        List<Verdict> verdicts =
        [
            new($"live {size}: thread lag p99", "<= 10 s", string.Create(CultureInfo.InvariantCulture, $"p50 {FormatLag(Percentile(lags, expected, 0.5))}, p99 {FormatLag(p99)}"), p99 <= 10_000, engine.Name()),
            new($"live {size}: 429s received", "0", string.Create(CultureInfo.InvariantCulture, $"{tooMany429} of {calls.Count} calls"), tooMany429 == 0, engine.Name()),
            RssVerdict($"live {size}: bot peak RSS", sampler, engine),
        ];
        if (workerSampler is not null)
        {
            verdicts.Add(RssVerdict($"live {size}: worker peak RSS", workerSampler, engine));
        }
        return new BenchResult(report.ToString(), verdicts);
    }

    /// <summary>The memory target, the same for the bot and the worker: each is a Deployment with its own limit.</summary>
    private static Verdict RssVerdict(string item, ProcessSampler sampler, BotEngine engine) =>
        new(item, "<= 300 MB", string.Create(CultureInfo.InvariantCulture, $"{sampler.PeakRssMiB:N0} MiB, CPU mean {sampler.MeanCpuPercent:N0}% peak {sampler.PeakCpuPercent:N0}%"), sampler.PeakRssMiB <= 300, engine.Name());

    private static string Usage(ProcessSampler sampler, TimeSpan waited) => string.Create(CultureInfo.InvariantCulture,
        $"peak RSS {sampler.PeakRssMiB:N0} MiB (VmHWM {sampler.HighWaterMarkMiB:N0} MiB), CPU {sampler.CpuSeconds:N0} s over {waited.TotalSeconds:N0} s = {sampler.MeanCpuPercent:N0}% of a core on average, busiest second {sampler.PeakCpuPercent:N0}%");

    /// <summary>One sampled thread as the stand-in holds it: when each reply came after the job message, and what it said.</summary>
    private static string Timeline(SlackStandIn slack, string channel, string ts)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"An example thread ({channel} {ts}), seconds after the job message:");
        var parent = double.Parse(ts, CultureInfo.InvariantCulture);
        foreach (var reply in slack.ThreadReplies(channel, ts).Where(m => m.Ts != ts))
        {
            var after = double.Parse(reply.Ts, CultureInfo.InvariantCulture) - parent;
            var ticks = TickLine().Matches(JsonSerializer.Serialize(reply.Blocks)).Select(m => int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture)).ToList();
            // Every line of the reply's text, since one reply can tell several states and carry output under them.
            var said = string.Join(" / ", reply.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  +{after,6:N1} s  {(said.Length > 110 ? said[..110] + "…" : said)}{(ticks.Count > 0 ? $" [ticks {ticks.Min()}-{ticks.Max()}]" : "")}");
        }
        return text.ToString();
    }

    private static string FormatLag(double ms) => double.IsPositiveInfinity(ms) ? "not readable" : string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:N1} s");

    /// <summary>Nearest rank over every expected line; a line never readable counts as longer than any.</summary>
    private static double Percentile(IReadOnlyList<double> lags, int expected, double q)
    {
        if (expected == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(q * expected);
        var sorted = lags.Order().ToList();
        return rank <= sorted.Count ? sorted[Math.Max(rank, 1) - 1] : double.PositiveInfinity;
    }

    private static string LagTable(IReadOnlyList<double> lags, int expected)
    {
        var text = new StringBuilder();
        text.AppendLine("thread lag (line printed -> readable via conversations.replies; polls every 1 s, so up to 1 s of it is the poll)");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"  lines {expected}, readable {lags.Count}; p50 {FormatLag(Percentile(lags, expected, 0.5))}, p90 {FormatLag(Percentile(lags, expected, 0.9))}, p99 {FormatLag(Percentile(lags, expected, 0.99))}, max readable {FormatLag(lags.Count == 0 ? double.PositiveInfinity : lags.Max())}"));
        return text.ToString();
    }

    private static string CallTable(IReadOnlyList<ApiCall> calls)
    {
        var text = new StringBuilder();
        text.AppendLine("Slack Web API calls by the bot (the stand-in's record)");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {"method",-30} {"calls",6} {"429s",5} {"peak/60 s",9} {"peak/1 s in a channel",21}  limit"));
        foreach (var group in calls.GroupBy(c => c.Method).OrderByDescending(g => g.Count()))
        {
            var times = group.Select(c => c.At).Order().ToList();
            var peakMinute = PeakInWindow(times, TimeSpan.FromSeconds(60));
            var peakChannelSecond = group.Where(c => c.Channel is not null).GroupBy(c => c.Channel)
                .Select(g => PeakInWindow(g.Select(c => c.At).Order().ToList(), TimeSpan.FromSeconds(1))).DefaultIfEmpty(0).Max();
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {group.Key,-30} {group.Count(),6} {group.Count(c => c.StatusCode == 429),5} {peakMinute,9} {peakChannelSecond,21}  {Limits.GetValueOrDefault(group.Key, "tier 4: 100/min")}"));
        }
        return text.ToString();
    }

    private static int PeakInWindow(List<DateTimeOffset> sorted, TimeSpan window)
    {
        var peak = 0;
        var start = 0;
        for (var end = 0; end < sorted.Count; end++)
        {
            while (sorted[end] - sorted[start] >= window)
            {
                start++;
            }
            peak = Math.Max(peak, end - start + 1);
        }
        return peak;
    }

    [GeneratedRegex(@"tick (\d+)/(\d+) at (\d{13})")]
    internal static partial Regex TickLine();
}
