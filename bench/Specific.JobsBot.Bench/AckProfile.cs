using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Storage;
using Specific.JobsBot.FrontDoor;
using Specific.JobsBot.Hosting;
using Specific.JobsBot.Work;

namespace Specific.JobsBot.Bench;

/// <summary>
/// Where a `job run` acknowledgement spends its time: the bot's own composition hosted in this process, with
/// Stopwatch decorators on the request ledger and the service catalog and a middleware timing the whole request on
/// the server. A stage that does not appear inside "server" time ran after the answer, on the queue.
/// </summary>
public static class AckProfile
{
    private const string Command = "job run web true";

    public static async Task<BenchResult> RunAsync(Machine machine, CancellationToken ct)
    {
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        Say($"Acknowledgement profile, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say($"Machine: {machine}; load average at start {AckBench.LoadAverage()}");
        Say("The bot's composition (Program.cs) hosted in the bench process with timing decorators; client-side latency includes the loopback HTTP.");
        Say("");

        var signingSecret = RandomNumberGenerator.GetHexString(32, lowercase: true);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(10) };
        var schema = "bench_" + RandomNumberGenerator.GetHexString(8, lowercase: true);
        var postgres = await AckBench.PostgresAvailableAsync(schema, ct);
        try
        {
            foreach (var store in postgres ? new[] { "sqlite", "postgres" } : ["sqlite"])
            {
                foreach (var workAfterAnswer in new[] { false, true })
                {
                    await ProfileStoreAsync(store, workAfterAnswer, AckBench.PostgresConnection + ";Search Path=" + schema, signingSecret, http, Say, ct);
                }
            }
        }
        finally
        {
            if (postgres)
            {
                await AckBench.DropSchemaAsync(schema);
            }
        }
        if (!postgres)
        {
            Say("PostgreSQL rows MISSING: no PostgreSQL at " + AckBench.PostgresConnection);
        }
        Say($"Load average at end {AckBench.LoadAverage()}.");
        return new BenchResult(report.ToString(), []);
    }

    private static async Task ProfileStoreAsync(
        string store, bool workAfterAnswer, string postgresConnection, string signingSecret, HttpClient http, Action<string> say, CancellationToken ct)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("jobsbot-profile-").FullName;
        await using var stand = await Stand.StartAsync(signingSecret, ct);
        var stages = new Stages();

        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(stand.BotEnvironment(store, postgresConnection, dataDirectory)
            .Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)));
        // The bot's shutdown warnings would drown the table; errors still show.
        builder.Configuration["Logging:LogLevel:Default"] = "Error";
        builder.ListenOnBotUrl();
        builder.Services.AddJobEngineFor(builder.Configuration, BotRole.Bot);
        builder.Services.AddSlackParts(builder.Configuration);
        var ledger = builder.Services.Single(d => d.ServiceType == typeof(IRequestLedger));
        builder.Services.Remove(ledger);
        builder.Services.AddSingleton<IRequestLedger>(sp => new TimedLedger((IRequestLedger)ledger.ImplementationFactory!(sp), stages));
        builder.Services.RemoveAll<IServiceCatalog>();
        builder.Services.AddSingleton<IServiceCatalog>(sp => new TimedCatalog(
            new CachedServiceCatalog(sp.GetRequiredService<KubernetesServiceCatalog>(), sp.GetRequiredService<TimeProvider>()), stages));

        if (!workAfterAnswer)
        {
            // Nothing drains the queue: the acknowledgement alone, without the CPU and store writes of the jobs it starts.
            var worker = builder.Services.Single(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService) && d.ImplementationType == typeof(FrontDoorWorker));
            builder.Services.Remove(worker);
        }

        await using var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var clock = Stopwatch.StartNew();
            await next(context);
            if (context.Request.Path == SlackFrontDoor.CommandsPath)
            {
                stages.Add("server: whole request", clock.Elapsed);
            }
        });
        app.MapSlackEndpoints();
        await app.StartAsync(ct);
        try
        {
            var load = new SlashCommandLoad(http, signingSecret, "C0BENCH", "U0SANDBOX", new Uri(stand.Slack.BaseUrl, "bench-response/"));
            var commands = new Uri(stand.BotUrl, SlackFrontDoor.CommandsPath);
            await load.RunAsync(commands, "help", 8, 200, TimeSpan.FromSeconds(30), ct);
            await load.RunAsync(commands, Command, 4, 40, TimeSpan.FromSeconds(30), ct);
            if (workAfterAnswer)
            {
                await AckBench.DrainAsync(stand.Cluster, ct);
            }
            foreach (var concurrency in new[] { 1, 16 })
            {
                stages.Clear();
                var result = await load.RunAsync(commands, Command, concurrency, concurrency == 1 ? 100 : 200, TimeSpan.FromSeconds(30), ct);
                stages.Add("client: request to answer", result.LatenciesMs.Select(TimeSpan.FromMilliseconds));
                var label = workAfterAnswer ? "jobs started after each answer" : "queue not drained: the acknowledgement alone";
                if (workAfterAnswer)
                {
                    // The queue's work (recording, starting) continues after the answers: give it time to show up.
                    var drained = await AckBench.DrainAsync(stand.Cluster, ct);
                    label += string.Create(CultureInfo.InvariantCulture, $", drained in {drained.Elapsed.TotalSeconds:N1} s, {drained.Unfinished} unfinished");
                }
                say(string.Create(CultureInfo.InvariantCulture, $"[{store} c={concurrency}, {label}] {result.Count} requests, {result.Failures} failed"));
                say(stages.Table());
            }
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Durations per stage name, with a table of count, p50, p99, max and total.</summary>
    private sealed class Stages
    {
        private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _samples = new(StringComparer.Ordinal);

        public void Add(string stage, TimeSpan elapsed) =>
            _samples.GetOrAdd(stage, _ => []).Add(elapsed.TotalMilliseconds);

        public void Add(string stage, IEnumerable<TimeSpan> elapsed)
        {
            foreach (var e in elapsed)
            {
                Add(stage, e);
            }
        }

        public void Clear() => _samples.Clear();

        public string Table()
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"  {"stage",-34} {"n",5} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"total ms",9}");
            foreach (var (stage, bag) in _samples.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                var sorted = bag.Order().ToList();
                double Rank(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {stage,-34} {sorted.Count,5} {Rank(0.5),8:N1} {Rank(0.99),8:N1} {sorted[^1],8:N1} {sorted.Sum(),9:N0}"));
            }
            return text.ToString();
        }
    }

    private sealed class TimedLedger(IRequestLedger inner, Stages stages) : IRequestLedger
    {
        public async Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                return await inner.TryRecordAsync(key, at, cancellationToken);
            }
            finally
            {
                stages.Add("ledger: TryRecordAsync (durable)", clock.Elapsed);
            }
        }
    }

    private sealed class TimedCatalog(IServiceCatalog inner, Stages stages) : IServiceCatalog
    {
        public async Task<IReadOnlyList<string>> ListServicesAsync(string environment, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                return await inner.ListServicesAsync(environment, cancellationToken);
            }
            finally
            {
                stages.Add("validate: catalog (cached)", clock.Elapsed);
            }
        }

        public async Task<IReadOnlyList<string>> ListFreshServicesAsync(string environment, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                return await inner.ListFreshServicesAsync(environment, cancellationToken);
            }
            finally
            {
                stages.Add("validate: catalog (live)", clock.Elapsed);
            }
        }
    }
}
