using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClickHouse.Driver;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.ClickHouse;
using Specific.Jobs.Logs.Postgres;
using Specific.Jobs.Logs.Sqlite;
using Specific.Sandbox.ClusterSimulator;

namespace Specific.JobsBot.Bench;

/// <summary>
/// Item 3: lines per second from a pod's log stream into the log store, against a raw bulk insert of the same lines
/// into the same store. The stream is the bot's own: KubernetesJobs.FollowAsync reading the simulator's pod log over
/// HTTP, each batch appended with ILogStore.AppendAsync as the job flow does.
/// </summary>
public static class LogsBench
{
    /// <summary>A line of typical length (about 90 characters), numbered so every line differs.</summary>
    private const string LineFormat = "%.0f INFO worker: processed batch of records from the queue, took 12ms, next checkpoint soon";

    public static async Task<BenchResult> RunAsync(Machine machine, int lines, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        Say($"Log throughput, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say($"Machine: {machine}; load average at start {AckBench.LoadAverage()}");
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Load: one Job on `web` printing {lines:N0} lines (`seq -f ... 1 {lines}`, ~90 characters each); the pod finishes first, then KubernetesJobs.FollowAsync reads its log over HTTP from the simulator and each batch goes to ILogStore.AppendAsync (the job flow's path)."));
        Say("Batches from memory: the same lines again, under another job, appended to the same store in the follow's batch size, one batch after another: the store's cost with no stream on the machine.");
        Say("Raw: the same lines, already in memory, into a fresh table of the same store (made by its own migration) in one go: SQLite one transaction of prepared INSERTs (same pragmas), PostgreSQL COPY ... (FORMAT BINARY), ClickHouse one RowBinary insert (InsertBinaryAsync).");
        Say("");

        await using var cluster = await StartClusterAsync(ct);
        var rows = new List<(string Store, double Pipeline, double Batched, double Raw, string Note)>();
        // A first follow warms the JIT up; the second, storing nothing, is the stream's own ceiling on this machine.
        _ = await PipelineAsync(cluster, store: null, "warm-up, no store", lines, Say, ct);
        var (streamOnly, _) = await PipelineAsync(cluster, store: null, "(none)", lines, Say, ct);
        var directory = Directory.CreateTempSubdirectory("jobsbot-logs-").FullName;
        try
        {
            // SQLite.
            {
                using var store = new SqliteLogStore(Path.Combine(directory, "logs.db"));
                await store.InitializeAsync(ct);
                var (pipeline, captured) = await PipelineAsync(cluster, store, store.GetType().Name, lines, Say, ct);
                var batched = await BatchesFromMemoryAsync(store, captured, ct);
                var raw = await RawSqliteAsync(Path.Combine(directory, "raw.db"), captured, ct);
                rows.Add(("sqlite", pipeline, batched, raw, ""));
            }

            // PostgreSQL: the store in one fresh schema, the raw COPY into the same table made the same way in another.
            var schema = "bench_" + RandomNumberGenerator.GetHexString(8, lowercase: true);
            var rawSchema = schema + "_raw";
            if (await AckBench.PostgresAvailableAsync(schema, ct))
            {
                try
                {
                    await AckBench.CreateSchemaAsync(rawSchema, ct);
                    await using var dataSource = NpgsqlDataSource.Create(AckBench.PostgresConnection + ";Search Path=" + schema);
                    var store = new PostgresLogStore(dataSource, schema);
                    await store.InitializeAsync(ct);
                    var (pipeline, captured) = await PipelineAsync(cluster, store, store.GetType().Name, lines, Say, ct);
                    var batched = await BatchesFromMemoryAsync(store, captured, ct);
                    await using var rawDataSource = NpgsqlDataSource.Create(AckBench.PostgresConnection + ";Search Path=" + rawSchema);
                    await new PostgresLogStore(rawDataSource, rawSchema).InitializeAsync(ct);
                    var raw = await RawPostgresAsync(rawDataSource, rawSchema, captured, ct);
                    rows.Add(("postgres", pipeline, batched, raw, ""));
                }
                finally
                {
                    await AckBench.DropSchemaAsync(schema);
                    await AckBench.DropSchemaAsync(rawSchema);
                }
            }
            else
            {
                rows.Add(("postgres", double.NaN, double.NaN, double.NaN, "SKIPPED: no PostgreSQL at " + AckBench.PostgresConnection));
            }

            // ClickHouse, when a server is named (none can run on the development machines).
            if (Environment.GetEnvironmentVariable("CLICKHOUSE_URL") is { Length: > 0 } clickHouseUrl)
            {
                var database = "bench_" + RandomNumberGenerator.GetHexString(8, lowercase: true);
                var rawDatabase = database + "_raw";
                using var server = new ClickHouseClient(ClickHouseUrl.ToSettings(new Uri(clickHouseUrl), "default"));
                await server.ExecuteNonQueryAsync($"CREATE DATABASE {database}", null, null, ct);
                await server.ExecuteNonQueryAsync($"CREATE DATABASE {rawDatabase}", null, null, ct);
                try
                {
                    using var client = new ClickHouseClient(ClickHouseUrl.ToSettings(new Uri(clickHouseUrl), database));
                    var store = new ClickHouseLogStore(new ClickHouseDriverGateway(client), jobs: null, retentionDays: 30);
                    await store.InitializeAsync(ct);
                    var (pipeline, captured) = await PipelineAsync(cluster, store, store.GetType().Name, lines, Say, ct);
                    var batched = await BatchesFromMemoryAsync(store, captured, ct);
                    using var rawClient = new ClickHouseClient(ClickHouseUrl.ToSettings(new Uri(clickHouseUrl), rawDatabase));
                    var raw = await RawClickHouseAsync(new ClickHouseDriverGateway(rawClient), captured, ct);
                    rows.Add(("clickhouse", pipeline, batched, raw, ""));
                }
                finally
                {
                    await server.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {database}", null, null, CancellationToken.None);
                    await server.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {rawDatabase}", null, null, CancellationToken.None);
                }
            }
            else
            {
                rows.Add(("clickhouse", double.NaN, double.NaN, double.NaN, "SKIPPED: CLICKHOUSE_URL is not set"));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless.
            }
        }

        Say(string.Create(CultureInfo.InvariantCulture, $"{"store",-11} {"stream->store lines/s",22} {"batches from memory",20} {"raw lines/s",12} {"ratio",6}  verdict (target >= 50% of raw)"));
        Say(string.Create(CultureInfo.InvariantCulture, $"{"(none)",-11} {streamOnly,22:N0} {"-",20} {"-",12} {"-",6}  the follow alone, storing nothing: the stream's own ceiling"));
        foreach (var (store, pipeline, batched, raw, note) in rows)
        {
            if (note.Length > 0)
            {
                Say(string.Create(CultureInfo.InvariantCulture, $"{store,-11} {"-",22} {"-",20} {"-",12} {"-",6}  {note}"));
                continue;
            }
            var ratio = pipeline / raw;
            Say(string.Create(CultureInfo.InvariantCulture,
                $"{store,-11} {pipeline,22:N0} {batched,20:N0} {raw,12:N0} {ratio,6:P0}  {(ratio >= 0.5 ? "ok" : "MISSED")}"));
        }
        Say("");
        Say($"Load average at end {AckBench.LoadAverage()}.");
        Say(string.Create(CultureInfo.InvariantCulture, $"Total run time {started.Elapsed.TotalSeconds:N0} s."));
        return new BenchResult(report.ToString(), [.. rows.Select(r => new Verdict(
            $"logs {r.Store}: stream->store vs raw", ">= 50% of raw",
            r.Note.Length > 0 ? r.Note : string.Create(CultureInfo.InvariantCulture, $"{r.Pipeline:N0} vs {r.Raw:N0} lines/s = {r.Pipeline / r.Raw:P0}"),
            r.Note.Length > 0 ? null : r.Pipeline / r.Raw >= 0.5))]);
    }

    /// <summary>
    /// The same lines appended again from memory, under another job, in the follow's batch size and each batch awaited
    /// before the next as the job flow does: what the store costs when no stream shares the machine with it.
    /// </summary>
    private static async Task<double> BatchesFromMemoryAsync(ILogStore store, IReadOnlyList<LogLine> lines, CancellationToken ct)
    {
        var batches = lines.Chunk(new KubernetesJobsOptions().LogBatchMaxLines).ToArray();
        var jobId = JobIds.New();
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            await store.AppendAsync(jobId, batch, ct);
        }
        return lines.Count / clock.Elapsed.TotalSeconds;
    }

    private sealed record Cluster(ClusterSimulator Simulator, ServiceProvider Services) : IAsyncDisposable
    {
        public IKubernetesJobs Jobs => Services.GetRequiredService<IKubernetesJobs>();

        public async ValueTask DisposeAsync()
        {
            await Services.DisposeAsync();
            await Simulator.DisposeAsync();
        }
    }

    private static async Task<Cluster> StartClusterAsync(CancellationToken ct)
    {
        var simulatorOptions = new ClusterSimulatorOptions { Url = "http://127.0.0.1:0" };
        simulatorOptions.ManifestPaths.Add(Path.Combine(ResultFiles.RepositoryRoot(), "sandbox", "cluster.yaml"));
        var simulator = await ClusterSimulator.StartAsync(simulatorOptions, cancellationToken: ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kubernetes:Host"] = simulator.BaseUrl.ToString().TrimEnd('/'),
            ["Environments:Default"] = "production",
            ["Environments:Targets:production:Namespace"] = "production",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddKubernetesJobs(configuration).BuildServiceProvider();
        return new Cluster(simulator, services);
    }

    /// <summary>
    /// Runs the printing Job to its end, then times the follow from its first batch to the last one stored (every batch
    /// when <paramref name="store"/> is null), and prints how much of that was spent in AppendAsync and how much CPU this
    /// process used meanwhile (the simulator's log endpoint, the follower and the store's client share it).
    /// </summary>
    private static async Task<(double LinesPerSecond, IReadOnlyList<LogLine> Lines)> PipelineAsync(Cluster cluster, ILogStore? store, string label, int lines, Action<string> say, CancellationToken ct)
    {
        var jobId = JobIds.New();
        var prepared = await cluster.Jobs.PrepareAsync(
            new PrepareJobRequest(jobId, "web", "production", "production", string.Create(CultureInfo.InvariantCulture, $"seq -f '{LineFormat}' 1 {lines}")), ct);
        await cluster.Jobs.CreateAsync(prepared, ct);
        await AckBench.DrainAsync(cluster.Simulator, ct);

        var observer = new StoringObserver(store, jobId);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var end = await cluster.Jobs.FollowAsync(
            new FollowRequest(jobId, prepared.Namespace, prepared.JobName, prepared.Container, new FollowCheckpoint()) { Environment = "production" },
            observer, ct);
        var stored = store is null ? observer.Lines.Count : await store.LastNumberAsync(jobId, ct);
        if (!end.Succeeded || stored != lines)
        {
            throw new InvalidOperationException($"The follow ended with {end} and stored {stored} of {lines} lines.");
        }
        var seconds = (observer.LastStored - observer.FirstReceived).TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        say(string.Create(CultureInfo.InvariantCulture,
            $"  {label}: {lines:N0} lines in {observer.Batches:N0} batches, first batch to last stored {seconds:N2} s, {observer.InAppend.TotalSeconds:N2} s of it in AppendAsync (whole follow {clock.Elapsed.TotalSeconds:N2} s, {cpu.TotalSeconds:N2} s of CPU in this process)"));
        return (lines / seconds, observer.Lines);
    }

    /// <summary>What the job flow does with a followed log: append each batch, in order, before the next (or only count it, with no store).</summary>
    private sealed class StoringObserver(ILogStore? store, string jobId) : IFollowObserver
    {
        private readonly List<LogLine> _lines = [];

        public TimeSpan FirstReceived { get; private set; }
        public TimeSpan LastStored { get; private set; }
        public int Batches { get; private set; }
        public TimeSpan InAppend { get; private set; }
        public IReadOnlyList<LogLine> Lines => _lines;
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public Task OnRunningAsync(string? image, DateTimeOffset? startedAt, CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task OnLogLinesAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
        {
            if (Batches++ == 0)
            {
                FirstReceived = _clock.Elapsed;
            }
            if (store is not null)
            {
                var appending = _clock.Elapsed;
                await store.AppendAsync(jobId, lines, cancellationToken);
                InAppend += _clock.Elapsed - appending;
            }
            LastStored = _clock.Elapsed;
            _lines.AddRange(lines);
        }

        public void OnProgress(FollowCheckpoint checkpoint)
        {
        }
    }

    /// <summary>The stream's stored name, as the stores write it ('output', 'stdout', 'stderr').</summary>
    private static string Wire(LogStream stream) => stream.ToString().ToLowerInvariant();

    private static async Task<double> RawSqliteAsync(string path, IReadOnlyList<LogLine> lines, CancellationToken ct)
    {
        // The store's own migration makes the table; the raw insert then bypasses the store.
        using (var store = new SqliteLogStore(path))
        {
            await store.InitializeAsync(ct);
        }
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
            await pragmas.ExecuteNonQueryAsync(ct);
        }
        var clock = Stopwatch.StartNew();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO log_lines (job_id, line_number, ts, stream, text) VALUES ($job, $n, $ts, $stream, $text)";
        insert.Parameters.AddWithValue("$job", "j-raw");
        var number = insert.Parameters.Add("$n", SqliteType.Integer);
        var timestamp = insert.Parameters.Add("$ts", SqliteType.Integer);
        var stream = insert.Parameters.Add("$stream", SqliteType.Text);
        var text = insert.Parameters.Add("$text", SqliteType.Text);
        insert.Prepare();
        foreach (var line in lines)
        {
            number.Value = line.Number;
            timestamp.Value = (line.Timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
            stream.Value = Wire(line.Stream);
            text.Value = line.Text;
            await insert.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return lines.Count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The store's own table in a database of its own, then every line in one RowBinary insert.</summary>
    private static async Task<double> RawClickHouseAsync(IClickHouseGateway gateway, IReadOnlyList<LogLine> lines, CancellationToken ct)
    {
        await new ClickHouseLogStore(gateway, jobs: null, retentionDays: 30).InitializeAsync(ct);
        var rows = lines.Select(line => new object[]
        {
            "j-raw", "web", "production", line.Timestamp.UtcDateTime, Wire(line.Stream), checked((ulong)line.Number), line.Text,
        }).ToList();
        var clock = Stopwatch.StartNew();
        await gateway.InsertAsync(new ClickHouseInsert(ClickHouseLogSchema.Table, ClickHouseLogSchema.InsertColumns, ClickHouseLogSchema.InsertColumnTypes, rows), ct);
        return lines.Count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> RawPostgresAsync(NpgsqlDataSource dataSource, string schema, IReadOnlyList<LogLine> lines, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var clock = Stopwatch.StartNew();
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY \"{schema}\".log_lines (job_id, line_number, ts, stream, text) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var line in lines)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync("j-raw", NpgsqlDbType.Text, ct);
                await copy.WriteAsync(line.Number, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(new DateTimeOffset(line.Timestamp.UtcTicks - (line.Timestamp.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero), NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(Wire(line.Stream), NpgsqlDbType.Text, ct);
                await copy.WriteAsync(line.Text, NpgsqlDbType.Text, ct);
            }
            await copy.CompleteAsync(ct);
        }
        return lines.Count / clock.Elapsed.TotalSeconds;
    }
}
