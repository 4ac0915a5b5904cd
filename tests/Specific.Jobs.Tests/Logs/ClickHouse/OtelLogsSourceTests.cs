using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.ClickHouse;
using Specific.Jobs.Testing;

namespace Specific.Jobs.Tests.Logs.ClickHouse;

/// <summary>The otel_logs reader: the job's records found by its Job name or pod label in its window, numbered in the query.</summary>
public sealed class OtelLogsSourceTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly HashSet<string> KnownQueries =
    [
        OtelLogsQueries.ReadAfter, OtelLogsQueries.ReadAll, OtelLogsQueries.Tail, OtelLogsQueries.LastNumber,
        OtelLogsQueries.CountMatches, OtelLogsQueries.Search,
    ];

    private readonly RecordingClickHouseGateway _clickHouse = new();
    private readonly InMemoryJobStore _jobs = new();
    private readonly FakeTimeProvider _clock = new(Created.AddMinutes(30));

    [Fact]
    public async Task Every_query_is_a_known_constant_and_names_the_job_only_through_parameters()
    {
        var job = Put("j-otel0001", finishedAt: Created.AddMinutes(5));
        var source = new OtelLogsSource(_clickHouse, _jobs, _clock);
        _clickHouse.Scalar = _ => 2UL;
        const string hostile = "x') OR 1=1 --";

        await source.ReadAfterAsync(job.Id, 3, 10, Ct);
        await source.TailAsync(job.Id, 10, Ct);
        await source.LastNumberAsync(job.Id, Ct);
        await source.SearchAsync(job.Id, hostile, 5, Ct);
        await foreach (var _ in source.ReadAllAsync(job.Id, Ct))
        {
        }

        Assert.Equal(6, _clickHouse.Statements.Count);
        foreach (var statement in _clickHouse.Statements)
        {
            Assert.Contains(statement.Sql, KnownQueries);
            Assert.Equal(
                RecordingClickHouseGateway.PlaceholdersOf(statement.Sql).Keys.Order(StringComparer.Ordinal),
                statement.Parameters.Keys.Order(StringComparer.Ordinal));
            Assert.DoesNotContain(hostile, statement.Sql, StringComparison.Ordinal);
            Assert.Equal("specific-job-otel0001", statement.Parameters["job_name"]);
            Assert.Equal("j-otel0001", statement.Parameters["job_id"]);
            Assert.Equal("k8s.pod.labels.jobs.specific.dev/job-id", statement.Parameters["job_id_attribute"]);
            Assert.Equal(new DateTime(2026, 11, 27, 8, 58, 0, DateTimeKind.Utc), statement.Parameters["from"]);
            Assert.Equal(new DateTime(2026, 11, 27, 9, 20, 0, DateTimeKind.Utc), statement.Parameters["to"]);
        }

        Assert.Equal(hostile, _clickHouse.Statements.Single(s => s.Sql == OtelLogsQueries.Search).Parameters["text"]);
    }

    [Fact]
    public void Queries_match_the_job_by_its_kubernetes_job_name_or_job_id_label_and_number_lines_by_timestamp()
    {
        foreach (var sql in KnownQueries)
        {
            Assert.Contains("FROM otel_logs", sql, StringComparison.Ordinal);
            Assert.Contains("ResourceAttributes['k8s.job.name'] = {job_name:String}", sql, StringComparison.Ordinal);
            Assert.Contains("ResourceAttributes[{job_id_attribute:String}] = {job_id:String}", sql, StringComparison.Ordinal);
            Assert.Contains("TimestampTime >= {from:DateTime('UTC')} AND TimestampTime <= {to:DateTime('UTC')}", sql, StringComparison.Ordinal);
        }

        Assert.Contains("row_number() OVER (ORDER BY Timestamp, Body) AS line", OtelLogsQueries.ReadAfter, StringComparison.Ordinal);
        Assert.Contains("row_number() OVER (ORDER BY Timestamp, Body) AS line", OtelLogsQueries.Search, StringComparison.Ordinal);
        foreach (var sql in KnownQueries)
        {
            foreach (var (name, type) in RecordingClickHouseGateway.PlaceholdersOf(sql))
            {
                Assert.True(type is "String" or "UInt32" or "UInt64" or "DateTime('UTC')", $"{name} in `{sql}` has type {type}");
            }
        }
    }

    [Fact]
    public async Task A_running_jobs_window_stays_open_past_now_for_records_still_being_shipped()
    {
        var job = Put("j-otel0002", finishedAt: null);
        await new OtelLogsSource(_clickHouse, _jobs, _clock).LastNumberAsync(job.Id, Ct);

        Assert.Equal(new DateTime(2026, 11, 27, 9, 45, 0, DateTimeKind.Utc), Assert.Single(_clickHouse.Statements).Parameters["to"]);
    }

    [Fact]
    public async Task Records_become_lines_with_their_stream_and_without_a_trailing_newline()
    {
        var job = Put("j-otel0003", finishedAt: Created.AddMinutes(1));
        _clickHouse.Rows = _ =>
        [
            [1UL, Created.UtcDateTime, "stdout", "hello\n"],
            [2UL, Created.AddSeconds(1).UtcDateTime, "stderr", "oops"],
            [3UL, Created.AddSeconds(2).UtcDateTime, "", "no stream attribute"],
        ];

        var lines = await new OtelLogsSource(_clickHouse, _jobs, _clock).ReadAfterAsync(job.Id, 0, 10, Ct);

        Assert.Equal(
            [new LogLine(1, Created, LogStream.Stdout, "hello"), new LogLine(2, Created.AddSeconds(1), LogStream.Stderr, "oops"),
             new LogLine(3, Created.AddSeconds(2), LogStream.Output, "no stream attribute")],
            lines);
    }

    [Fact]
    public async Task An_unknown_job_is_not_queried_and_the_worker_may_not_append()
    {
        var source = new OtelLogsSource(_clickHouse, _jobs, _clock);

        Assert.Empty(await source.TailAsync("j-missing1", 10, Ct));
        Assert.Equal(0, (await source.SearchAsync("j-missing1", "x", 10, Ct)).MatchCount);
        Assert.Empty(_clickHouse.Statements);
        await Assert.ThrowsAsync<NotSupportedException>(() => source.AppendAsync("j-missing1", [new LogLine(1, Created, LogStream.Output, "x")], Ct));
    }

    private JobRecord Put(string id, DateTimeOffset? finishedAt) => _jobs.Put(new JobRecord
    {
        Id = id,
        Service = "web",
        Environment = "production",
        Command = "true",
        Origin = new JobOrigin(JobOrigin.Slack, null, null, null, null),
        State = finishedAt is null ? JobState.Running : JobState.Succeeded,
        Version = 1,
        CreatedAt = Created,
        FinishedAt = finishedAt,
    });
}
