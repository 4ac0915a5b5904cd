using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.Postgres;
using Specific.Jobs.Logs.Sqlite;
using Specific.Jobs.Retention;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Bench;

/// <summary>The sizes of a prune run.</summary>
/// <param name="Lines">Old log lines to prune, spread over jobs of 5,000 lines each.</param>
/// <param name="Writers">Running jobs appending lines all the while, as followed jobs do.</param>
/// <param name="BaselineSeconds">How long the writers run with no pruning, for the numbers to compare with.</param>
public sealed record PruneOptions(int Lines, int Writers, int BaselineSeconds);

/// <summary>
/// Retention's cost to the jobs that run meanwhile: the store is seeded with old lines of ended jobs, then
/// <see cref="PruneOptions.Writers"/> running jobs append batches of lines (as the worker's follow does) first with
/// no pruning and then while one <see cref="JobRetention"/> pass deletes every old line with the default batch size
/// and pause. Reports each append's latency in both phases and how fast the pass deleted.
/// </summary>
public static class PruneBench
{
    private const int LinesPerOldJob = 5_000;
    private const int LinesPerAppend = 20;
    private static readonly TimeSpan WriterPause = TimeSpan.FromMilliseconds(50);

    public static async Task<BenchResult> RunAsync(Machine machine, PruneOptions size, CancellationToken ct)
    {
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        Say($"Retention prune, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say($"Machine: {machine}; load average at start {AckBench.LoadAverage()}");
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Load: {size.Lines:N0} log lines of jobs that ended 40 days ago ({LinesPerOldJob:N0} a job), pruned by one JobRetention pass (Logs retention 30 days, batch {new RetentionOptions().BatchSize:N0}, pause {new RetentionOptions().Pause.TotalMilliseconds:N0} ms) while {size.Writers} running jobs each append {LinesPerAppend} lines every {WriterPause.TotalMilliseconds:N0} ms; before it, the same writers for {size.BaselineSeconds} s with no pruning."));
        Say("Columns: append latency of the writers (ms, nearest rank), appends made; the pass's duration and lines deleted per second.");
        Say("");
        var verdicts = new List<Verdict>();
        var directory = Directory.CreateTempSubdirectory("jobsbot-prune-").FullName;
        try
        {
            using (var jobs = new SqliteJobStore(Path.Combine(directory, "jobs.db"), TimeProvider.System))
            using (var logs = new SqliteLogStore(Path.Combine(directory, "logs.db")))
            {
                await jobs.InitializeAsync(ct);
                await logs.InitializeAsync(ct);
                verdicts.Add(await MeasureAsync("sqlite", jobs, logs, size, Say, ct));
            }

            if (Environment.GetEnvironmentVariable("JOBSBOT_TEST_POSTGRES") is { Length: > 0 } connection)
            {
                var schema = "bench_" + RandomNumberGenerator.GetHexString(8, lowercase: true);
                await using var dataSource = NpgsqlDataSource.Create(connection + ";Search Path=" + schema);
                try
                {
                    var jobs = new PostgresJobStore(dataSource, TimeProvider.System);
                    var logs = new PostgresLogStore(dataSource, schema);
                    await jobs.InitializeAsync(ct);
                    await logs.InitializeAsync(ct);
                    verdicts.Add(await MeasureAsync("postgres", jobs, logs, size, Say, ct));
                }
                finally
                {
                    await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                    await drop.ExecuteNonQueryAsync(CancellationToken.None);
                }
            }
            else
            {
                Say("postgres: SKIPPED (set JOBSBOT_TEST_POSTGRES to a connection string to measure it)");
                verdicts.Add(new Verdict("prune: writers' append p99 while pruning, postgres", "<= 2x without", "JOBSBOT_TEST_POSTGRES unset", null));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        Say($"Load average at end {AckBench.LoadAverage()} (other work on the machine inflates every number).");
        return new BenchResult(report.ToString(), verdicts);
    }

    private static async Task<Verdict> MeasureAsync(
        string name, ComposedJobStore jobs, ILogStore logs, PruneOptions size, Action<string> say, CancellationToken ct)
    {
        var seeding = Stopwatch.StartNew();
        var ended = DateTimeOffset.UtcNow.AddDays(-40);
        for (var seeded = 0; seeded < size.Lines; seeded += LinesPerOldJob)
        {
            var job = await jobs.CreateAsync(Request("old"), ct);
            await jobs.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Cancelled, ended), ct);
            var count = Math.Min(LinesPerOldJob, size.Lines - seeded);
            await logs.AppendAsync(job.Id, Lines(1, count, ended), ct);
        }

        say(string.Create(CultureInfo.InvariantCulture, $"{name}: seeded {size.Lines:N0} old lines in {seeding.Elapsed.TotalSeconds:N1} s"));
        var writers = new List<string>();
        for (var i = 0; i < size.Writers; i++)
        {
            var job = await jobs.CreateAsync(Request("writer"), ct);
            await jobs.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Queued, DateTimeOffset.UtcNow), ct);
            await jobs.TryTransitionAsync(job.Id, JobState.Queued, new JobTransition(JobState.Running, DateTimeOffset.UtcNow), ct);
            writers.Add(job.Id);
        }

        var next = new ConcurrentDictionary<string, long>(writers.ToDictionary(w => w, _ => 1L));
        var baseline = await WriteWhileAsync(logs, writers, next, Task.Delay(TimeSpan.FromSeconds(size.BaselineSeconds), ct), ct);
        var retention = new JobRetention(jobs, logs, new RetentionOptions(), logRetentionDays: 30, TimeProvider.System);
        var pruning = Stopwatch.StartNew();
        var pass = retention.PruneAsync(ct);
        var during = await WriteWhileAsync(logs, writers, next, pass, ct);
        var deleted = (await pass).LogLines;
        var passTime = pruning.Elapsed;

        say(string.Create(CultureInfo.InvariantCulture,
            $"{name}: without pruning  append p50 {baseline.P50:N1}, p99 {baseline.P99:N1}, max {baseline.Max:N1} ms over {baseline.Count:N0} appends"));
        say(string.Create(CultureInfo.InvariantCulture,
            $"{name}: while pruning    append p50 {during.P50:N1}, p99 {during.P99:N1}, max {during.Max:N1} ms over {during.Count:N0} appends"));
        var kept = await KeptAsync(logs, writers, next, ct);
        say(string.Create(CultureInfo.InvariantCulture,
            $"{name}: the pass deleted {deleted:N0} lines in {passTime.TotalSeconds:N1} s ({deleted / passTime.TotalSeconds:N0} lines/s); writers' lines kept: {kept}"));
        say("");
        return new Verdict(
            $"prune {size.Lines:N0} lines: writers' append p99 while pruning, {name}",
            "<= 2x without",
            string.Create(CultureInfo.InvariantCulture, $"{during.P99:N1} vs {baseline.P99:N1} ms; {deleted / passTime.TotalSeconds:N0} lines/s"),
            during.P99 <= 2 * baseline.P99);
    }

    /// <summary>Every writer appends its next lines in a loop until <paramref name="until"/> ends; each append timed.</summary>
    private static async Task<CellResult> WriteWhileAsync(
        ILogStore logs, IReadOnlyList<string> writers, ConcurrentDictionary<string, long> next, Task until, CancellationToken ct)
    {
        var latencies = new ConcurrentBag<double>();
        var failures = 0;
        string? firstFailure = null;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(writers.Select(async writer =>
        {
            while (!until.IsCompleted)
            {
                var from = next[writer];
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await logs.AppendAsync(writer, Lines(from, LinesPerAppend, DateTimeOffset.UtcNow), ct);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    next[writer] = from + LinesPerAppend;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }

                await Task.WhenAny(until, Task.Delay(WriterPause, ct));
            }
        }));
        await until;
        return new CellResult([.. latencies], failures, wall.Elapsed, firstFailure);
    }

    /// <summary>"all" when every line each writer appended is still there (pruning never touches a running job).</summary>
    private static async Task<string> KeptAsync(ILogStore logs, IReadOnlyList<string> writers, ConcurrentDictionary<string, long> next, CancellationToken ct)
    {
        foreach (var writer in writers)
        {
            var stored = (await logs.ReadAfterAsync(writer, 0, int.MaxValue, ct)).Count;
            if (stored != next[writer] - 1)
            {
                return $"NOT ALL: {writer} has {stored} of {next[writer] - 1}";
            }
        }

        return "all";
    }

    private static JobRequest Request(string name) => new("web", "production", "bench", name, new JobOrigin("bench"));

    private static List<LogLine> Lines(long from, int count, DateTimeOffset at) =>
        [.. Enumerable.Range(0, count).Select(i => new LogLine(from + i, at, LogStream.Output,
            string.Create(CultureInfo.InvariantCulture, $"{from + i} INFO worker: processed batch of records from the queue, took 12ms, next checkpoint soon")))];
}
