using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using Specific.Sandbox.ClusterSimulator;
using Specific.Sandbox.SlackStandIn;
using Specific.Sandbox.TemporalStandIn;

namespace Specific.JobsBot.Bench;

/// <summary>
/// Item 1: how fast the bot acknowledges slash commands, against a bare signature-checking endpoint on the same
/// machine. The bot runs as a separate Release process against the cluster simulator and Slack stand-in in this one,
/// on each engine asked for (on Temporal, with the Temporal stand-in here and a separate worker process).
/// </summary>
public static class AckBench
{
    public const string PostgresConnection = "Host=127.0.0.1;Username=jobsbot;Password=jobsbot;Database=jobsbot_test";
    private const string ChannelId = "C0BENCH";
    private const string UserId = "U0SANDBOX";
    private static readonly string[] Commands = ["help", "job run web true"];
    private static readonly int[] Concurrencies = [1, 16, 64];

    /// <summary>Requests per cell when <c>--requests</c> does not lower it.</summary>
    public const int DefaultMaxRequests = 200;

    /// <summary>Requests per cell: bounded so that `job run` at 64 does not start more real processes than the machine drains.</summary>
    private static int RequestsFor(int concurrency, int maxRequests) => Math.Min(concurrency == 1 ? 100 : 200, maxRequests);

    private static readonly TimeSpan CellTimeLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(20);

    /// <summary>How often the drain asks the simulator again, after an answer or a failed request alike.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<BenchResult> RunAsync(Machine machine, IReadOnlyList<BotEngine> engines, int maxRequests, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        Say($"Acknowledgement latency, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say($"Machine: {machine}; load average at start {LoadAverage()}");
        Say("Bot: separate process, Release build, against the cluster simulator and Slack stand-in in the bench process (all loopback).");
        foreach (var engine in engines)
        {
            Say($"  {engine.Name()}: {BotUnderTest.Describe(engine)}.");
        }
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Load: signed form-encoded /specific commands, unique trigger_id each, HTTP/1.1 keep-alive; {RequestsFor(1, maxRequests)} requests at concurrency 1, {RequestsFor(16, maxRequests)} at 16 and 64; warm-up first."));
        Say("");

        var signingSecret = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var rows = new List<Row>();

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

        // The limit first, with the same bodies, so each bot row has its bare counterpart.
        await using (var bare = await BareEndpoint.StartAsync(signingSecret, ct))
        {
            var load = new SlashCommandLoad(http, signingSecret, ChannelId, UserId, new Uri("http://127.0.0.1:9/"));
            await load.RunAsync(bare.CommandsUrl, "help", 8, 2000, CellTimeLimit, ct);
            foreach (var command in Commands)
            {
                foreach (var concurrency in Concurrencies)
                {
                    var result = await load.RunAsync(bare.CommandsUrl, command, concurrency, RequestsFor(concurrency, maxRequests), CellTimeLimit, ct);
                    rows.Add(new Row("bare", "-", "-", command, concurrency, result));
                }
            }
        }

        var postgres = false;
        foreach (var engine in engines)
        {
            // A fresh schema per engine: the second bot must not find the first one's jobs.
            var schema = "bench_" + RandomNumberGenerator.GetHexString(8, lowercase: true);
            postgres = await PostgresAvailableAsync(schema, ct);
            var stores = postgres ? new[] { "sqlite", "postgres" } : ["sqlite"];
            try
            {
                foreach (var store in stores)
                {
                    try
                    {
                        rows.AddRange(await MeasureBotAsync(engine, store, schema, signingSecret, maxRequests, http, Say, ct));
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        // One store's failure must not lose the other's numbers: the table says which rows are missing.
                        Say($"[{engine.Name()} {store}] FAILED, its rows are missing: {e.Message}");
                    }
                }
            }
            finally
            {
                if (postgres)
                {
                    await DropSchemaAsync(schema);
                }
            }
        }

        Say("");
        Say(Table(rows));
        if (!postgres)
        {
            Say("PostgreSQL rows MISSING: no PostgreSQL at " + PostgresConnection);
        }
        Say($"Load average at end {LoadAverage()} (other work on the machine inflates every number).");
        Say(string.Create(CultureInfo.InvariantCulture, $"Total run time {started.Elapsed.TotalSeconds:N0} s."));
        return new BenchResult(report.ToString(), Verdicts(rows));
    }

    /// <summary>
    /// Per engine, store and command: the p99 at each concurrency against 2x bare, and the worst answer against 1.5 s;
    /// the engines' rows of one store and command side by side.
    /// </summary>
    private static List<Verdict> Verdicts(IReadOnlyList<Row> rows)
    {
        var verdicts = new List<Verdict>();
        foreach (var group in rows.Where(r => r.Target == "bot").GroupBy(r => (r.Store, r.Command))
            .SelectMany(sameCell => sameCell.GroupBy(r => (sameCell.Key.Store, sameCell.Key.Command, r.Engine))))
        {
            var parts = group.Select(r =>
            {
                var bare = rows.First(b => b.Target == "bare" && b.Command == r.Command && b.Concurrency == r.Concurrency);
                return (Row: r, Ratio: r.Result.P99 / bare.Result.P99);
            }).ToList();
            var met = parts.All(p => p.Row.Result.Failures == 0 && p.Row.Result.Max < 1500 && p.Ratio <= 2);
            verdicts.Add(new Verdict(
                $"ack `{group.Key.Command}` {group.Key.Store} c=" + string.Join('/', parts.Select(p => p.Row.Concurrency)),
                "p99 <= 2x bare, max < 1.5 s",
                string.Create(CultureInfo.InvariantCulture, $"p99 {string.Join('/', parts.Select(p => p.Row.Result.P99.ToString("N0", CultureInfo.InvariantCulture)))} ms = {string.Join('/', parts.Select(p => p.Ratio.ToString("N1", CultureInfo.InvariantCulture)))}x"),
                met,
                group.Key.Engine));
        }
        return verdicts;
    }

    private static async Task<List<Row>> MeasureBotAsync(
        BotEngine engine, string store, string schema, string signingSecret, int maxRequests, HttpClient http, Action<string> say, CancellationToken ct)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("jobsbot-bench-").FullName;
        await using var stand = await Stand.StartAsync(signingSecret, ct, engine);
        var cluster = stand.Cluster;
        var slack = stand.Slack;
        var environment = stand.BotEnvironment(store, PostgresConnection + ";Search Path=" + schema, dataDirectory);
        var tag = $"{engine.Name()} {store}";

        var rows = new List<Row>();
        await using (var processes = await BotUnderTest.StartAsync(stand, environment, ct))
        {
            var bot = processes.Bot;
            var load = new SlashCommandLoad(http, signingSecret, ChannelId, UserId, new Uri(slack.BaseUrl, "bench-response/"));
            // Warm-up: JIT, connection pools, the store's first statements, and a few real jobs.
            await load.RunAsync(bot.CommandsUrl, "help", 8, 400, CellTimeLimit, ct);
            var jobsStarted = (await load.RunAsync(bot.CommandsUrl, "job run web true", 4, 40, CellTimeLimit, ct)).LatenciesMs.Count;
            await DrainAsync(cluster, ct, stand.Temporal, jobsStarted);
            if (processes.Exited(200) is { } exited)
            {
                throw new InvalidOperationException($"During the warm-up: {exited}");
            }
            var cpuBefore = bot.Process.TotalProcessorTime;
            var workerCpuBefore = processes.Worker?.Process.TotalProcessorTime ?? TimeSpan.Zero;
            foreach (var command in Commands)
            {
                foreach (var concurrency in Concurrencies)
                {
                    var result = await load.RunAsync(bot.CommandsUrl, command, concurrency, RequestsFor(concurrency, maxRequests), CellTimeLimit, ct);
                    rows.Add(new Row("bot", engine.Name(), store, command, concurrency, result));
                    if (result.FirstFailure is { } failure)
                    {
                        say($"[{tag} {command} c={concurrency}] first failure: {failure}");
                    }
                    if (command != "help")
                    {
                        jobsStarted += result.LatenciesMs.Count;
                        var drained = await DrainAsync(cluster, ct, stand.Temporal, jobsStarted);
                        say(string.Create(CultureInfo.InvariantCulture,
                            $"[{tag} {command} c={concurrency}] jobs drained in {drained.Elapsed.TotalSeconds:N1} s ({drained.Pods} pods seen, {drained.Unfinished} unfinished{(stand.Temporal is null ? "" : $", of which {drained.OpenWorkflows} RunJob workflows open or not started")})"));
                    }
                }
            }
            if (processes.Exited(40) is { } exitedLater)
            {
                throw new InvalidOperationException($"During the measured cells: {exitedLater}");
            }
            bot.Process.Refresh();
            say(string.Create(CultureInfo.InvariantCulture,
                $"[{tag}] bot CPU during the measured cells {(bot.Process.TotalProcessorTime - cpuBefore).TotalSeconds:N1} s, peak working set {bot.Process.PeakWorkingSet64 / 1024.0 / 1024.0:N0} MB; Slack stand-in saw {slack.DeadlineMisses.Count} missed deadlines, {slack.Calls.Count} Web API calls."));
            if (processes.Worker is { } worker)
            {
                worker.Process.Refresh();
                say(string.Create(CultureInfo.InvariantCulture,
                    $"[{tag}] worker CPU during the measured cells {(worker.Process.TotalProcessorTime - workerCpuBefore).TotalSeconds:N1} s, peak working set {worker.Process.PeakWorkingSet64 / 1024.0 / 1024.0:N0} MB; {stand.Temporal!.Workflows().Count} RunJob workflows on the Temporal stand-in."));
            }
        }
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
        return rows;
    }

    /// <summary>
    /// Waits until no pod in the simulator is Pending or Running, so one cell's jobs do not load the next; on Temporal,
    /// also until every acknowledged job has its RunJob workflow and every workflow has closed (the worker may create
    /// a Job's pod well after the answer).
    /// </summary>
    internal static async Task<(TimeSpan Elapsed, int Pods, int Unfinished, int OpenWorkflows)> DrainAsync(
        ClusterSimulator cluster, CancellationToken ct, TemporalStandIn? temporal = null, int jobsStarted = 0)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        var pods = 0;
        var unfinished = 0;
        var openWorkflows = 0;
        // Give the last acknowledged commands a moment to create their Jobs and pods.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        while (clock.Elapsed < DrainLimit)
        {
            string podList;
            try
            {
                podList = await http.GetStringAsync(new Uri(cluster.BaseUrl, "api/v1/pods"), ct);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // A simulator busy with hundreds of pods may answer slowly: that is a reason to wait, not to stop,
                // and to wait before asking again, so a refused connection does not become a busy loop.
                await Task.Delay(PollInterval, ct);
                continue;
            }
            using var document = JsonDocument.Parse(podList);
            var items = document.RootElement.GetProperty("items");
            var jobPods = items.EnumerateArray().Where(IsJobPod).ToList();
            pods = jobPods.Count;
            unfinished = jobPods.Count(p =>
                p.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var phase) &&
                phase.GetString() is "Pending" or "Running");
            if (temporal is not null)
            {
                var workflows = temporal.Workflows();
                openWorkflows = workflows.Count(w => w.CloseTime is null) + Math.Max(0, jobsStarted - workflows.Select(w => w.WorkflowId).Distinct().Count());
                unfinished += openWorkflows;
            }
            if (unfinished == 0)
            {
                break;
            }
            await Task.Delay(PollInterval, ct);
        }
        return (clock.Elapsed, pods, unfinished, openWorkflows);
    }

    /// <summary>A pod a Job owns; the Deployments' pods run for ever and are not waited for.</summary>
    private static bool IsJobPod(JsonElement pod) =>
        pod.GetProperty("metadata").TryGetProperty("ownerReferences", out var owners)
        && owners.EnumerateArray().Any(o => o.GetProperty("kind").GetString() == "Job");

    /// <summary>Creates <paramref name="schema"/>, or says false when there is no PostgreSQL to create it in.</summary>
    internal static async Task<bool> PostgresAvailableAsync(string schema, CancellationToken ct)
    {
        try
        {
            await CreateSchemaAsync(schema, ct);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    internal static async Task CreateSchemaAsync(string schema, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(PostgresConnection);
        await connection.OpenAsync(ct);
        await using var create = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"", connection);
        await create.ExecuteNonQueryAsync(ct);
    }

    internal static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(PostgresConnection);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>The 1, 5 and 15 minute load averages, to tell a quiet run from a busy one.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private sealed record Row(string Target, string Engine, string Store, string Command, int Concurrency, CellResult Result);

    private static string Table(IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{"target",-6} {"engine",-9} {"store",-8} {"command",-17} {"conc",4} {"n",4} {"err",4} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"req/s",8} {"p99/bare",8}  verdict"));
        foreach (var row in rows)
        {
            var bare = rows.First(r => r.Target == "bare" && r.Command == row.Command && r.Concurrency == row.Concurrency);
            var ratio = row.Result.P99 / bare.Result.P99;
            var verdict = row.Target == "bare" ? "limit"
                : row.Result.Failures > 0 ? "MISSED (errors)"
                : row.Result.Max >= 1500 ? "MISSED (max near 3 s)"
                : ratio > 2 ? "MISSED (p99 > 2x bare)"
                : "ok";
            var r = row.Result;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Target,-6} {row.Engine,-9} {row.Store,-8} {row.Command,-17} {row.Concurrency,4} {r.Count,4} {r.Failures,4} {r.P50,8:N1} {r.P99,8:N1} {r.Max,8:N1} {r.RequestsPerSecond,8:N0} {ratio,8:N2}  {verdict}"));
        }
        return text.ToString();
    }
}
