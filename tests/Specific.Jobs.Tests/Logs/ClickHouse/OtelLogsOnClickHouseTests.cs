using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.ClickHouse;
using Specific.Jobs.Testing;

namespace Specific.Jobs.Tests.Logs.ClickHouse;

/// <summary>
/// The otel_logs reader's queries on the real ClickHouse of CLICKHOUSE_URL, against a table with the OpenTelemetry
/// collector exporter's column types: the job's records are found by Job name or pod label inside its window, and
/// numbered, paged, tailed and searched as the log store contract says.
/// </summary>
public sealed class OtelLogsOnClickHouseTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly InMemoryJobStore _jobs = new();
    private ClickHouseTestServer? _server;

    [Fact]
    public async Task A_jobs_records_are_found_by_job_name_or_pod_label_in_its_window_and_read_as_numbered_lines()
    {
        _server = await ClickHouseTestServer.CreateOrSkipAsync(Ct);
        var client = _server.NewClient();
        // The columns the exporter creates that the reader touches, with the exporter's types.
        await client.ExecuteNonQueryAsync("""
            CREATE TABLE otel_logs (
                Timestamp DateTime64(9),
                TimestampTime DateTime DEFAULT toDateTime(Timestamp),
                SeverityText LowCardinality(String),
                ServiceName LowCardinality(String),
                Body String,
                ResourceAttributes Map(LowCardinality(String), String),
                LogAttributes Map(LowCardinality(String), String)
            ) ENGINE = MergeTree PARTITION BY toDate(TimestampTime) ORDER BY (ServiceName, TimestampTime, Timestamp)
            """, null, null, Ct);
        // Out of order, as a collector ships them; one found only by its pod label, one without a stream, one after the
        // window, one of another job. Timestamps are UTC, to a tenth of a microsecond (what .NET keeps of DateTime64(9)).
        await client.ExecuteNonQueryAsync("""
            INSERT INTO otel_logs (Timestamp, ServiceName, Body, ResourceAttributes, LogAttributes) VALUES
            (toDateTime64('2026-11-27 09:00:03.000000300', 9, 'UTC'), 'web', 'ERROR: boom', map('k8s.job.name', 'specific-job-otel1001'), map('log.iostream', 'stderr')),
            (toDateTime64('2026-11-27 09:00:01.000000100', 9, 'UTC'), 'web', 'starting\n', map('k8s.job.name', 'specific-job-otel1001'), map('log.iostream', 'stdout')),
            (toDateTime64('2026-11-27 09:00:04.000000000', 9, 'UTC'), 'web', 'retrying after error', map('k8s.pod.labels.jobs.specific.dev/job-id', 'j-otel1001'), map('log.iostream', 'stdout')),
            (toDateTime64('2026-11-27 09:00:02.000000200', 9, 'UTC'), 'web', 'migrating', map('k8s.job.name', 'specific-job-otel1001'), map('log.file.path', '/var/log/pods/web/0.log')),
            (toDateTime64('2026-11-27 09:00:05.000000000', 9, 'UTC'), 'web', 'done', map('k8s.job.name', 'specific-job-otel1001'), map('log.iostream', 'stdout')),
            (toDateTime64('2026-11-27 10:30:00.000000000', 9, 'UTC'), 'web', 'a later job of the same name', map('k8s.job.name', 'specific-job-otel1001'), map('log.iostream', 'stdout')),
            (toDateTime64('2026-11-27 09:00:03.500000000', 9, 'UTC'), 'web', 'ERROR in another job', map('k8s.job.name', 'specific-job-otel1002'), map('log.iostream', 'stdout'))
            """, null, null, Ct);
        Put("j-otel1001");
        Put("j-otel1002");
        var source = new OtelLogsSource(new ClickHouseDriverGateway(client), _jobs, new FakeTimeProvider(Created.AddHours(2)));

        var all = new List<LogLine>();
        await foreach (var line in source.ReadAllAsync("j-otel1001", Ct))
            all.Add(line);
        var search = await source.SearchAsync("j-otel1001", "error", 1, Ct);

        Assert.Equal(
            [
                new LogLine(1, Created.AddSeconds(1).AddTicks(1), LogStream.Stdout, "starting"),
                new LogLine(2, Created.AddSeconds(2).AddTicks(2), LogStream.Output, "migrating"),
                new LogLine(3, Created.AddSeconds(3).AddTicks(3), LogStream.Stderr, "ERROR: boom"),
                new LogLine(4, Created.AddSeconds(4), LogStream.Stdout, "retrying after error"),
                new LogLine(5, Created.AddSeconds(5), LogStream.Stdout, "done"),
            ],
            all);
        Assert.Equal(5, await source.LastNumberAsync("j-otel1001", Ct));
        Assert.Equal(all[2..4], await source.ReadAfterAsync("j-otel1001", 2, 2, Ct));
        Assert.Equal(all[3..], await source.TailAsync("j-otel1001", 2, Ct));
        Assert.Equal(2, search.MatchCount);
        Assert.Equal([all[2]], search.Lines);
    }

    private void Put(string id) => _jobs.Put(new JobRecord
    {
        Id = id,
        Service = "web",
        Environment = "production",
        Command = "bin/migrate",
        Origin = new JobOrigin(JobOrigin.Slack, null, null, null, null),
        State = JobState.Succeeded,
        Version = 1,
        CreatedAt = Created,
        FinishedAt = Created.AddMinutes(5),
    });

    public void Dispose() => _server?.Dispose();
}
