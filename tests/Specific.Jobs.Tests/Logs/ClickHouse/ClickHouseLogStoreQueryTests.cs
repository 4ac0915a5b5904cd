using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.ClickHouse;
using Specific.Jobs.Testing;

namespace Specific.Jobs.Tests.Logs.ClickHouse;

/// <summary>
/// What the ClickHouse log store would send, checked without a server: every query a constant with server-side
/// parameters, inserts cut into ordered batches with their column types, and the table built for the workload.
/// </summary>
public sealed class ClickHouseLogStoreQueryTests
{
    private const string HostileJob = "j-x' OR 1=1 --";
    private const string HostileText = "'); DROP TABLE job_log_lines; -- {job_id:String}";
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly HashSet<string> KnownQueries =
    [
        ClickHouseLogQueries.ExistingLines, ClickHouseLogQueries.ReadAfter, ClickHouseLogQueries.Tail,
        ClickHouseLogQueries.LastNumber, ClickHouseLogQueries.CountMatches, ClickHouseLogQueries.Search,
        ClickHouseLogSchema.ReadComment, ClickHouseLogSchema.CreateTable(30), ClickHouseLogSchema.ModifyTtl(30),
        ClickHouseLogSchema.ModifyComment(30),
    ];

    private readonly RecordingClickHouseGateway _clickHouse = new();

    [Fact]
    public async Task Every_statement_is_a_known_constant_and_user_input_travels_only_as_parameters()
    {
        var store = new ClickHouseLogStore(_clickHouse, jobs: null, retentionDays: 30);
        _clickHouse.Scalar = _ => 3UL;

        await store.AppendAsync(HostileJob, [new LogLine(1, Start, LogStream.Output, HostileText)], Ct);
        await store.ReadAfterAsync(HostileJob, 5, 10, Ct);
        await store.TailAsync(HostileJob, 10, Ct);
        await store.LastNumberAsync(HostileJob, Ct);
        await store.SearchAsync(HostileJob, HostileText, 10, Ct);
        await foreach (var _ in store.ReadAllAsync(HostileJob, Ct))
        {
        }

        Assert.Equal(
            [ClickHouseLogQueries.ExistingLines, ClickHouseLogQueries.ReadAfter, ClickHouseLogQueries.Tail, ClickHouseLogQueries.LastNumber,
             ClickHouseLogQueries.CountMatches, ClickHouseLogQueries.Search, ClickHouseLogQueries.ReadAfter],
            _clickHouse.Statements.SkipWhile(s => s.Sql != ClickHouseLogQueries.ExistingLines).Select(s => s.Sql));
        foreach (var statement in _clickHouse.Statements)
        {
            Assert.Contains(statement.Sql, KnownQueries);
            Assert.Equal(
                RecordingClickHouseGateway.PlaceholdersOf(statement.Sql).Keys.Order(StringComparer.Ordinal),
                statement.Parameters.Keys.Order(StringComparer.Ordinal));
            Assert.DoesNotContain(HostileJob, statement.Sql, StringComparison.Ordinal);
            Assert.DoesNotContain("DROP TABLE job_log_lines", statement.Sql, StringComparison.Ordinal);
        }

        var search = _clickHouse.Statements.Single(s => s.Sql == ClickHouseLogQueries.Search);
        Assert.Equal(HostileJob, search.Parameters["job_id"]);
        Assert.Equal(HostileText, search.Parameters["text"]);
        Assert.Equal(10u, search.Parameters["limit"]);
        Assert.Equal(HostileText, Assert.Single(Assert.Single(_clickHouse.Inserts).Rows)[6]);
    }

    [Fact]
    public void Every_query_placeholder_has_a_clickhouse_type()
    {
        foreach (var sql in KnownQueries)
        {
            foreach (var (name, type) in RecordingClickHouseGateway.PlaceholdersOf(sql))
            {
                Assert.True(type is "String" or "UInt32" or "UInt64" or "DateTime", $"{name} in `{sql}` has type {type}");
            }
        }
    }

    [Fact]
    public async Task Appends_go_out_in_batches_of_the_configured_size_in_line_order_with_every_column_typed()
    {
        var jobs = new InMemoryJobStore();
        var store = new ClickHouseLogStore(_clickHouse, jobs, retentionDays: 30, insertBatchSize: 1_000);
        var lines = Enumerable.Range(1, 2_501).Select(n => new LogLine(n, Start.AddMilliseconds(n), LogStream.Stderr, $"line {n}")).ToArray();
        Random.Shared.Shuffle(lines);

        await store.AppendAsync("j-batch001", lines, Ct);

        Assert.Equal([1_000, 1_000, 501], _clickHouse.Inserts.Select(insert => insert.Rows.Count));
        Assert.Equal(
            Enumerable.Range(1, 2_501).Select(n => (ulong)n),
            _clickHouse.Inserts.SelectMany(insert => insert.Rows).Select(row => (ulong)row[5]));
        foreach (var insert in _clickHouse.Inserts)
        {
            Assert.Equal(ClickHouseLogSchema.Table, insert.Table);
            Assert.Equal(["job_id", "service", "environment", "timestamp", "stream", "line", "text"], insert.Columns);
            Assert.All(insert.Columns, column => Assert.True(insert.ColumnTypes.ContainsKey(column), $"{column} has no type: the driver would probe the schema"));
            Assert.All(insert.Rows, row => Assert.Equal(insert.Columns.Count, row.Length));
        }

        var first = _clickHouse.Inserts[0].Rows[0];
        Assert.Equal(["j-batch001", "", "", Start.AddMilliseconds(1).UtcDateTime, "stderr", 1UL, "line 1"], first);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)first[3]).Kind);
    }

    [Fact]
    public async Task Rows_carry_the_jobs_service_and_environment()
    {
        var jobs = new InMemoryJobStore();
        jobs.Put(new Specific.Jobs.Domain.JobRecord
        {
            Id = "j-labels01", Service = "web", Environment = "staging", Command = "true",
            Origin = new Specific.Jobs.Domain.JobOrigin("slack", null, null, null, null),
            State = Specific.Jobs.Domain.JobState.Running, Version = 1, CreatedAt = Start,
        });
        var store = new ClickHouseLogStore(_clickHouse, jobs, retentionDays: 30);

        await store.AppendAsync("j-labels01", [new LogLine(1, Start, LogStream.Output, "hi")], Ct);

        Assert.Equal(["j-labels01", "web", "staging"], Assert.Single(Assert.Single(_clickHouse.Inserts).Rows)[..3]);
    }

    [Fact]
    public async Task Lines_already_stored_are_not_sent_again()
    {
        var store = new ClickHouseLogStore(_clickHouse, jobs: null, retentionDays: 30);
        _clickHouse.Rows = statement => statement.Sql == ClickHouseLogQueries.ExistingLines ? [[3UL], [4UL], [5UL]] : [];

        await store.AppendAsync("j-again001", Enumerable.Range(1, 8).Select(n => new LogLine(n, Start, LogStream.Output, $"{n}")).ToArray(), Ct);

        var existing = _clickHouse.Statements.Single(s => s.Sql == ClickHouseLogQueries.ExistingLines);
        Assert.Equal((1UL, 8UL), ((ulong)existing.Parameters["first"], (ulong)existing.Parameters["last"]));
        Assert.Equal([1UL, 2UL, 6UL, 7UL, 8UL], Assert.Single(_clickHouse.Inserts).Rows.Select(row => (ulong)row[5]));
    }

    [Fact]
    public async Task A_batch_entirely_stored_sends_no_insert()
    {
        var store = new ClickHouseLogStore(_clickHouse, jobs: null, retentionDays: 30);
        _clickHouse.Rows = statement => statement.Sql == ClickHouseLogQueries.ExistingLines ? [[1UL], [2UL]] : [];

        await store.AppendAsync("j-again002", [new LogLine(2, Start, LogStream.Output, "b"), new LogLine(1, Start, LogStream.Output, "a")], Ct);

        Assert.Empty(_clickHouse.Inserts);
    }

    [Fact]
    public async Task Tail_is_read_newest_first_and_returned_in_order()
    {
        var store = new ClickHouseLogStore(_clickHouse, jobs: null, retentionDays: 30);
        _clickHouse.Rows = statement => statement.Sql == ClickHouseLogQueries.Tail
            ? [[50UL, Start.UtcDateTime, "stdout", "fifty"], [49UL, Start.UtcDateTime, "stderr", "forty-nine"]]
            : [];

        var tail = await store.TailAsync("j-tail0001", 2, Ct);

        Assert.Equal([(49L, LogStream.Stderr, "forty-nine"), (50L, LogStream.Stdout, "fifty")], tail.Select(l => (l.Number, l.Stream, l.Text)));
        Assert.Equal(Start, tail[0].Timestamp);
        Assert.Equal(2u, _clickHouse.Statements.Single(s => s.Sql == ClickHouseLogQueries.Tail).Parameters["count"]);
    }

    [Fact]
    public async Task Reading_everything_pages_by_line_number_until_a_short_page()
    {
        var store = new ClickHouseLogStore(_clickHouse, jobs: null, retentionDays: 30);
        _clickHouse.Rows = statement =>
        {
            var after = (long)(ulong)statement.Parameters["after"];
            var count = after == 0 ? ClickHouseLogStore.ReadPage : after == ClickHouseLogStore.ReadPage ? 3 : 0;
            return Enumerable.Range(1, count).Select(i => new object[] { (ulong)(after + i), Start.UtcDateTime, "output", "x" });
        };

        var numbers = new List<long>();
        await foreach (var line in store.ReadAllAsync("j-pages001", Ct))
        {
            numbers.Add(line.Number);
        }

        Assert.Equal(Enumerable.Range(1, ClickHouseLogStore.ReadPage + 3).Select(n => (long)n), numbers);
        Assert.Equal([0UL, (ulong)ClickHouseLogStore.ReadPage], _clickHouse.Statements.Where(s => s.Sql == ClickHouseLogQueries.ReadAfter).Select(s => (ulong)s.Parameters["after"]));
    }

    [Fact]
    public void The_table_is_ordered_for_one_jobs_lines_with_low_cardinality_labels_nanosecond_time_and_a_ttl()
    {
        var sql = ClickHouseLogSchema.CreateTable(14);

        Assert.Contains("CREATE TABLE IF NOT EXISTS job_log_lines", sql, StringComparison.Ordinal);
        Assert.Contains("ORDER BY (job_id, line)", sql, StringComparison.Ordinal);
        Assert.Matches(@"service\s+LowCardinality\(String\)", sql);
        Assert.Matches(@"environment\s+LowCardinality\(String\)", sql);
        Assert.Matches(@"stream\s+LowCardinality\(String\)", sql);
        Assert.Matches(@"timestamp\s+DateTime64\(9, 'UTC'\)", sql);
        Assert.Matches(@"line\s+UInt64", sql);
        Assert.Contains("TTL toDateTime(timestamp) + INTERVAL 14 DAY", sql, StringComparison.Ordinal);
        Assert.Contains("COMMENT 'retention_days=14'", sql, StringComparison.Ordinal);
        foreach (var (column, type) in ClickHouseLogSchema.InsertColumnTypes)
        {
            Assert.Matches($@"\b{column}\s+{System.Text.RegularExpressions.Regex.Escape(type)}", sql);
        }
    }

    [Fact]
    public async Task Start_up_creates_the_table_and_changes_the_ttl_only_when_the_retention_changed()
    {
        var fresh = new ClickHouseLogStore(_clickHouse, jobs: null, retentionDays: 7);
        _clickHouse.Scalar = _ => "retention_days=30";

        await fresh.InitializeAsync(Ct);
        await fresh.InitializeAsync(Ct);

        Assert.Equal(
            [ClickHouseLogSchema.CreateTable(7), ClickHouseLogSchema.ReadComment, ClickHouseLogSchema.ModifyTtl(7), ClickHouseLogSchema.ModifyComment(7)],
            _clickHouse.Statements.Select(s => s.Sql));
        Assert.Equal(ClickHouseLogSchema.Table, _clickHouse.Statements[1].Parameters["table"]);

        var unchanged = new RecordingClickHouseGateway { Scalar = _ => "retention_days=7" };
        await new ClickHouseLogStore(unchanged, jobs: null, retentionDays: 7).InitializeAsync(Ct);
        Assert.Equal([ClickHouseLogSchema.CreateTable(7), ClickHouseLogSchema.ReadComment], unchanged.Statements.Select(s => s.Sql));
    }

    [Fact]
    public void A_retention_below_one_day_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClickHouseLogStore(_clickHouse, null, retentionDays: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClickHouseLogSchema.CreateTable(0));
    }
}
