using System.Collections.Concurrent;
using System.Data;
using System.Runtime.CompilerServices;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Logs.ClickHouse;

/// <summary>
/// The production log store: job lines in a ClickHouse MergeTree ordered by (job, line), kept for the configured
/// retention by a TTL. Appends are batched binary inserts with the column types given; reads are constant queries
/// with server-side parameters (<see cref="ClickHouseLogQueries"/>).
/// </summary>
public sealed class ClickHouseLogStore : ILogStore
{
    /// <summary>Lines per read while streaming a whole log: large enough to be cheap, small enough to hold in memory.</summary>
    public const int ReadPage = 10_000;

    // A bounded memo of each job's service and environment, which every stored line carries.
    private const int MaxRemembered = 4_096;

    private readonly IClickHouseGateway _clickHouse;
    private readonly IJobStore? _jobs;
    private readonly int _retentionDays;
    private readonly int _insertBatchSize;
    private readonly AsyncOnce _migrations;
    private readonly ConcurrentDictionary<string, (string Service, string Environment)> _jobLabels = new(StringComparer.Ordinal);

    /// <param name="jobs">Where a job's service and environment come from; without it those columns are empty.</param>
    /// <param name="retentionDays">How long lines are kept: the table's TTL.</param>
    /// <param name="insertBatchSize">The most lines sent in one insert.</param>
    public ClickHouseLogStore(IClickHouseGateway clickHouse, IJobStore? jobs, int retentionDays, int insertBatchSize = 10_000)
    {
        ArgumentNullException.ThrowIfNull(clickHouse);
        ArgumentOutOfRangeException.ThrowIfLessThan(retentionDays, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(insertBatchSize, 1);
        _clickHouse = clickHouse;
        _jobs = jobs;
        _retentionDays = retentionDays;
        _insertBatchSize = insertBatchSize;
        _migrations = new AsyncOnce(MigrateAsync);
    }

    /// <summary>Creates the table, or brings its TTL to the configured retention. Safe from several replicas at once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _migrations.RunAsync(cancellationToken);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _clickHouse.ExecuteAsync(ClickHouseStatement.Plain(ClickHouseLogSchema.CreateTable(_retentionDays)), cancellationToken);
        var comment = await _clickHouse.ScalarAsync(
            new ClickHouseStatement(ClickHouseLogSchema.ReadComment, Parameters(("table", ClickHouseLogSchema.Table))),
            cancellationToken);
        if (!string.Equals(comment as string, ClickHouseLogSchema.RetentionComment(_retentionDays), StringComparison.Ordinal))
        {
            await _clickHouse.ExecuteAsync(ClickHouseStatement.Plain(ClickHouseLogSchema.ModifyTtl(_retentionDays)), cancellationToken);
            await _clickHouse.ExecuteAsync(ClickHouseStatement.Plain(ClickHouseLogSchema.ModifyComment(_retentionDays)), cancellationToken);
        }
    }

    public async Task AppendAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        if (!LogBatch.HasLinesToStore(lines))
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        var ordered = lines.DistinctBy(line => line.Number).OrderBy(line => line.Number).ToList();
        var stored = await ExistingAsync(jobId, ordered[0].Number, ordered[^1].Number, cancellationToken);
        var fresh = ordered.Where(line => !stored.Contains(line.Number)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        var (service, environment) = await LabelsOfAsync(jobId, cancellationToken);
        foreach (var batch in fresh.Chunk(_insertBatchSize))
        {
            var rows = batch.Select(line => new object[]
            {
                jobId,
                service,
                environment,
                line.Timestamp.UtcDateTime,
                LogStreamNames.ToWire(line.Stream),
                checked((ulong)line.Number),
                line.Text,
            }).ToList();
            await _clickHouse.InsertAsync(
                new ClickHouseInsert(ClickHouseLogSchema.Table, ClickHouseLogSchema.InsertColumns, ClickHouseLogSchema.InsertColumnTypes, rows),
                cancellationToken);
        }
    }

    public async Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        await InitializeAsync(cancellationToken);
        return await ReadAsync(
            ClickHouseLogQueries.ReadAfter,
            Parameters(("job_id", jobId), ("after", (ulong)Math.Max(0, afterNumber)), ("limit", (uint)limit)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return [];
        }

        await InitializeAsync(cancellationToken);
        var newestFirst = await ReadAsync(ClickHouseLogQueries.Tail, Parameters(("job_id", jobId), ("count", (uint)count)), cancellationToken);
        newestFirst.Reverse();
        return newestFirst;
    }

    public async Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        var last = await _clickHouse.ScalarAsync(new ClickHouseStatement(ClickHouseLogQueries.LastNumber, Parameters(("job_id", jobId))), cancellationToken);
        return last is null ? 0 : Convert.ToInt64(last, System.Globalization.CultureInfo.InvariantCulture);
    }

    public IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, CancellationToken cancellationToken) =>
        LogPages.ReadAllAsync((after, limit, token) => ReadAfterAsync(jobId, after, limit, token), ReadPage, cancellationToken);

    public async Task<LogSearchResult> SearchAsync(string jobId, string text, int limit, CancellationToken cancellationToken)
    {
        LogSearchResult.ThrowIfInvalid(text, limit);
        await InitializeAsync(cancellationToken);
        var counted = await _clickHouse.ScalarAsync(
            new ClickHouseStatement(ClickHouseLogQueries.CountMatches, Parameters(("job_id", jobId), ("text", text), ("cap", (uint)(LogSearchResult.CountLimit + 1)))),
            cancellationToken);
        var matches = counted is null ? 0 : Convert.ToInt64(counted, System.Globalization.CultureInfo.InvariantCulture);
        if (matches == 0 || limit == 0)
        {
            return new LogSearchResult([], matches);
        }

        var lines = await ReadAsync(
            ClickHouseLogQueries.Search, Parameters(("job_id", jobId), ("text", text), ("limit", (uint)limit)), cancellationToken);
        return new LogSearchResult(lines, matches);
    }

    /// <summary>Reads one stored line: line, timestamp, stream, text.</summary>
    internal static LogLine ReadLine(IDataRecord row) => new(
        Convert.ToInt64(row.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
        ClickHouseValues.ToTimestamp(row.GetValue(1)),
        LogStreamNames.FromWire(row.GetString(2)),
        row.GetString(3));

    private async Task<HashSet<long>> ExistingAsync(string jobId, long first, long last, CancellationToken cancellationToken)
    {
        var existing = new HashSet<long>();
        var statement = new ClickHouseStatement(
            ClickHouseLogQueries.ExistingLines, Parameters(("job_id", jobId), ("first", (ulong)first), ("last", (ulong)last)));
        await foreach (var number in _clickHouse.QueryAsync(
            statement, row => Convert.ToInt64(row.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), cancellationToken))
        {
            existing.Add(number);
        }

        return existing;
    }

    private async Task<List<LogLine>> ReadAsync(string sql, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        var lines = new List<LogLine>();
        await foreach (var line in _clickHouse.QueryAsync(new ClickHouseStatement(sql, parameters), ReadLine, cancellationToken))
        {
            lines.Add(line);
        }

        return lines;
    }

    private async ValueTask<(string Service, string Environment)> LabelsOfAsync(string jobId, CancellationToken cancellationToken)
    {
        if (_jobLabels.TryGetValue(jobId, out var known))
        {
            return known;
        }

        var job = _jobs is null ? null : await _jobs.GetAsync(jobId, cancellationToken);
        var labels = (job?.Service ?? "", job?.Environment ?? "");
        if (job is not null)
        {
            if (_jobLabels.Count >= MaxRemembered)
            {
                _jobLabels.Clear();
            }

            _jobLabels[jobId] = labels;
        }

        return labels;
    }

    internal static Dictionary<string, object> Parameters(params ReadOnlySpan<(string Name, object Value)> values)
    {
        var parameters = new Dictionary<string, object>(values.Length, StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            parameters.Add(name, value);
        }

        return parameters;
    }
}

/// <summary>Turns what the driver reads back into our types.</summary>
internal static class ClickHouseValues
{
    public static DateTimeOffset ToTimestamp(object value) => value switch
    {
        DateTimeOffset offset => offset.ToUniversalTime(),
        DateTime { Kind: DateTimeKind.Local } local => new DateTimeOffset(local.ToUniversalTime()),
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        _ => throw new FormatException($"A ClickHouse timestamp came back as {value.GetType().Name}."),
    };
}
