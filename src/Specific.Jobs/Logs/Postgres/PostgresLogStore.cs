using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Logs.Postgres;

/// <summary>
/// A log store on PostgreSQL, for comparison with the SQLite and ClickHouse stores: a batch is one binary COPY (an
/// INSERT that skips stored lines when it overlaps them), lines are keyed by (job, line number) so the tail and the
/// lines after an offset are range reads.
/// </summary>
public sealed class PostgresLogStore : ILogStore, ILogPruning
{
    // Read in pages so a slow reader of a long log holds no snapshot (and no pooled connection) for long.
    private const int ReadPage = 1_000;

    /// <summary>This store's schema history, recorded in its own table; append only, and a step only adds.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "log lines", """
            CREATE TABLE {schema}.log_lines (
                job_id      text NOT NULL,
                line_number bigint NOT NULL,
                ts          timestamptz NOT NULL,
                stream      text NOT NULL CHECK (stream IN ('output', 'stdout', 'stderr')),
                text        text NOT NULL,
                PRIMARY KEY (job_id, line_number)
            );
            """),
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly AsyncOnce _migrations;

    /// <param name="schema">The schema of the table; null takes the connection string's Search Path, else "public".</param>
    public PostgresLogStore(NpgsqlDataSource dataSource, string? schema = null, ILogger<PostgresLogStore>? logger = null)
    {
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        var resolved = PostgresSchema.Resolve(schema, dataSource.ConnectionString);
        _schema = resolved.Quoted;
        _migrations = new AsyncOnce(ct => resolved.MigrateAsync(
            _dataSource, "log_schema_migrations", Migrations, (ILogger?)logger ?? NullLogger.Instance, ct));
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => _migrations.RunAsync(cancellationToken);

    /// <summary>The data source's connection string, for the start-up message when the server cannot be used.</summary>
    internal string ConnectionString => _dataSource.ConnectionString;

    public async Task AppendAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        if (!LogBatch.HasLinesToStore(lines))
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await CopyAsync(connection, jobId, lines, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Some of these lines are stored already (a follower resending after a restart): a COPY is all or nothing,
            // so this batch goes again through the INSERT that skips the stored lines and keeps their first text.
            await InsertSkippingStoredAsync(connection, jobId, lines, cancellationToken);
        }
    }

    /// <summary>
    /// The fast path: one binary COPY of the batch, as a single statement, so it stores every line or none. A COPY
    /// left without CompleteAsync (an invalid line, a cancellation) is aborted when the importer is disposed.
    /// </summary>
    private async Task CopyAsync(NpgsqlConnection connection, string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        // Npgsql breaks the connection when BeginBinaryImportAsync sees a cancelled token (seen with 10.0.3), so the
        // token is checked here and the begin, one round trip bounded by the command timeout, runs without it.
        cancellationToken.ThrowIfCancellationRequested();
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY {_schema}.log_lines (job_id, line_number, ts, stream, text) FROM STDIN (FORMAT BINARY)", CancellationToken.None);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            // Checked between rows too, so a cancellation aborts the COPY cleanly rather than in the middle of a socket write.
            cancellationToken.ThrowIfCancellationRequested();
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(jobId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(line.Number, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(StorageTime.Normalize(line.Timestamp), NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(LogStreamNames.ToWire(line.Stream), NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(StorableText(line.Text), NpgsqlDbType.Text, cancellationToken);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>The idempotent path: one INSERT of arrays that skips every line already stored.</summary>
    private async Task InsertSkippingStoredAsync(NpgsqlConnection connection, string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        var numbers = new long[lines.Count];
        var timestamps = new DateTimeOffset[lines.Count];
        var streams = new string[lines.Count];
        var texts = new string[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            numbers[i] = lines[i].Number;
            timestamps[i] = StorageTime.Normalize(lines[i].Timestamp);
            streams[i] = LogStreamNames.ToWire(lines[i].Stream);
            texts[i] = StorableText(lines[i].Text);
        }

        await using var command = new NpgsqlCommand($"""
            INSERT INTO {_schema}.log_lines (job_id, line_number, ts, stream, text)
            SELECT @job_id, line.number, line.ts, line.stream, line.text
            FROM unnest(@numbers, @timestamps, @streams, @texts) AS line(number, ts, stream, text)
            ON CONFLICT (job_id, line_number) DO NOTHING
            """, connection);
        command.Parameters.Add(new NpgsqlParameter("job_id", NpgsqlDbType.Text) { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter("numbers", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = numbers });
        command.Parameters.Add(new NpgsqlParameter("timestamps", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = timestamps });
        command.Parameters.Add(new NpgsqlParameter("streams", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = streams });
        command.Parameters.Add(new NpgsqlParameter("texts", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = texts });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // PostgreSQL text cannot hold NUL; a stray NUL in a pod's output must not lose the batch.
    private static string StorableText(string text) => text.Replace('\0', '\uFFFD');

    public async Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"""
            SELECT line_number, ts, stream, text FROM {_schema}.log_lines
            WHERE job_id = @job_id AND line_number > @after ORDER BY line_number LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter("job_id", NpgsqlDbType.Text) { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Bigint) { Value = afterNumber });
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = limit });
        return await ReadLinesAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return [];
        }

        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"""
            SELECT line_number, ts, stream, text FROM {_schema}.log_lines
            WHERE job_id = @job_id ORDER BY line_number DESC LIMIT @count
            """);
        command.Parameters.Add(new NpgsqlParameter("job_id", NpgsqlDbType.Text) { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter("count", NpgsqlDbType.Integer) { Value = count });
        var lines = await ReadLinesAsync(command, cancellationToken);
        lines.Reverse();
        return lines;
    }

    public async Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand(
            $"SELECT COALESCE(MAX(line_number), 0) FROM {_schema}.log_lines WHERE job_id = @job_id");
        command.Parameters.Add(new NpgsqlParameter("job_id", NpgsqlDbType.Text) { Value = jobId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<int> DeleteLinesAsync(string jobId, int limit, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        // A range of the primary key: the first lines up to the limit-th, or all that are left when fewer remain.
        await using var command = _dataSource.CreateCommand($"""
            DELETE FROM {_schema}.log_lines WHERE job_id = @job_id AND line_number <= COALESCE(
                (SELECT line_number FROM {_schema}.log_lines WHERE job_id = @job_id ORDER BY line_number LIMIT 1 OFFSET @offset),
                9223372036854775807)
            """);
        command.Parameters.Add(new NpgsqlParameter("job_id", NpgsqlDbType.Text) { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter("offset", NpgsqlDbType.Integer) { Value = Math.Max(1, limit) - 1 });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, CancellationToken cancellationToken) =>
        LogPages.ReadAllAsync((after, limit, token) => ReadAfterAsync(jobId, after, limit, token), ReadPage, cancellationToken);

    public async Task<LogSearchResult> SearchAsync(string jobId, string text, int limit, CancellationToken cancellationToken)
    {
        LogSearchResult.ThrowIfInvalid(text, limit);
        await InitializeAsync(cancellationToken);

        // strpos takes the text as a plain substring (LIKE would read % and _ as wildcards).
        await using var count = _dataSource.CreateCommand($"""
            SELECT COUNT(*) FROM (
                SELECT 1 FROM {_schema}.log_lines WHERE job_id = @job_id AND strpos(lower(text), lower(@text)) > 0 LIMIT @cap) AS matching
            """);
        count.Parameters.Add(new NpgsqlParameter("job_id", NpgsqlDbType.Text) { Value = jobId });
        count.Parameters.Add(new NpgsqlParameter("text", NpgsqlDbType.Text) { Value = StorableText(text) });
        count.Parameters.Add(new NpgsqlParameter("cap", NpgsqlDbType.Integer) { Value = LogSearchResult.CountLimit + 1 });
        var matches = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        if (matches == 0 || limit == 0)
        {
            return new LogSearchResult([], matches);
        }

        await using var command = _dataSource.CreateCommand($"""
            SELECT line_number, ts, stream, text FROM {_schema}.log_lines
            WHERE job_id = @job_id AND strpos(lower(text), lower(@text)) > 0 ORDER BY line_number LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter("job_id", NpgsqlDbType.Text) { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter("text", NpgsqlDbType.Text) { Value = StorableText(text) });
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = limit });
        return new LogSearchResult(await ReadLinesAsync(command, cancellationToken), matches);
    }

    private static async Task<List<LogLine>> ReadLinesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var lines = new List<LogLine>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(new LogLine(
                reader.GetInt64(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                LogStreamNames.FromWire(reader.GetString(2)),
                reader.GetString(3)));
        }

        return lines;
    }
}
