using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Logs.Sqlite;

/// <summary>
/// The log store of the embedded default: one SQLite file, lines clustered by (job, line number), so the tail and
/// the lines after an offset are short range reads whatever the log's length.
/// </summary>
public sealed class SqliteLogStore : ILogStore, ILogPruning, IDisposable
{
    // Read in pages so a slow reader of a long log holds no read snapshot open for long (WAL checkpoints wait on those).
    private const int ReadPage = 1_000;

    /// <summary>This store's schema history, recorded in its own table; append only, and a step only adds.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "log lines", """
            CREATE TABLE log_lines (
                job_id      TEXT NOT NULL,
                line_number INTEGER NOT NULL,
                -- UTC microseconds since the Unix epoch.
                ts          INTEGER NOT NULL,
                stream      TEXT NOT NULL CHECK (stream IN ('output', 'stdout', 'stderr')),
                text        TEXT NOT NULL,
                PRIMARY KEY (job_id, line_number)
            ) WITHOUT ROWID;
            """),
    ];

    private readonly SqliteDatabase _database;
    private readonly AsyncOnce _migrations;

    public SqliteLogStore(string path)
    {
        _database = new SqliteDatabase(path);
        _migrations = new AsyncOnce(ct => _database.MigrateAsync(Migrations, ct));
    }

    /// <summary>The full path of the database file.</summary>
    public string Path => _database.Path;

    public Task InitializeAsync(CancellationToken cancellationToken) => _migrations.RunAsync(cancellationToken);

    public async Task AppendAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        if (!LogBatch.HasLinesToStore(lines))
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO log_lines (job_id, line_number, ts, stream, text) VALUES ($job_id, $line_number, $ts, $stream, $text)
            ON CONFLICT (job_id, line_number) DO NOTHING
            """;
        insert.Parameters.AddWithValue("$job_id", jobId);
        var number = insert.Parameters.Add("$line_number", SqliteType.Integer);
        var timestamp = insert.Parameters.Add("$ts", SqliteType.Integer);
        var stream = insert.Parameters.Add("$stream", SqliteType.Text);
        var text = insert.Parameters.Add("$text", SqliteType.Text);
        insert.Prepare();
        foreach (var line in lines)
        {
            number.Value = line.Number;
            timestamp.Value = StorageTime.ToUnixMicroseconds(line.Timestamp);
            stream.Value = LogStreamNames.ToWire(line.Stream);
            text.Value = line.Text;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await ReadPageAsync(connection, jobId, afterNumber, limit, cancellationToken);
    }

    public async Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return [];
        }

        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT line_number, ts, stream, text FROM log_lines
            WHERE job_id = $job_id ORDER BY line_number DESC LIMIT $count
            """;
        command.Parameters.AddWithValue("$job_id", jobId);
        command.Parameters.AddWithValue("$count", count);
        var lines = await ReadLinesAsync(command, cancellationToken);
        lines.Reverse();
        return lines;
    }

    public async Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(line_number), 0) FROM log_lines WHERE job_id = $job_id";
        command.Parameters.AddWithValue("$job_id", jobId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<int> DeleteLinesAsync(string jobId, int limit, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // A range of the primary key: the first lines up to the limit-th, or all that are left when fewer remain.
        command.CommandText = """
            DELETE FROM log_lines WHERE job_id = $job_id AND line_number <= COALESCE(
                (SELECT line_number FROM log_lines WHERE job_id = $job_id ORDER BY line_number LIMIT 1 OFFSET $offset),
                9223372036854775807)
            """;
        command.Parameters.AddWithValue("$job_id", jobId);
        command.Parameters.AddWithValue("$offset", Math.Max(1, limit) - 1);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        // A connection per page: a slow reader (a file upload) never holds one between pages.
        await foreach (var line in LogPages.ReadAllAsync(ReadOnePageAsync, ReadPage, cancellationToken))
        {
            yield return line;
        }

        async Task<IReadOnlyList<LogLine>> ReadOnePageAsync(long after, int limit, CancellationToken token)
        {
            await using var connection = await _database.OpenAsync(token);
            return await ReadPageAsync(connection, jobId, after, limit, token);
        }
    }

    public async Task<LogSearchResult> SearchAsync(string jobId, string text, int limit, CancellationToken cancellationToken)
    {
        LogSearchResult.ThrowIfInvalid(text, limit);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);

        // SQLite's lower() folds ASCII letters only; instr() takes the text as a plain substring, never a pattern.
        await using var count = connection.CreateCommand();
        count.CommandText = """
            SELECT COUNT(*) FROM (
                SELECT 1 FROM log_lines WHERE job_id = $job_id AND instr(lower(text), lower($text)) > 0 LIMIT $cap)
            """;
        count.Parameters.AddWithValue("$job_id", jobId);
        count.Parameters.AddWithValue("$text", text);
        count.Parameters.AddWithValue("$cap", LogSearchResult.CountLimit + 1);
        var matches = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        if (matches == 0 || limit == 0)
        {
            return new LogSearchResult([], matches);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT line_number, ts, stream, text FROM log_lines
            WHERE job_id = $job_id AND instr(lower(text), lower($text)) > 0 ORDER BY line_number LIMIT $limit
            """;
        command.Parameters.AddWithValue("$job_id", jobId);
        command.Parameters.AddWithValue("$text", text);
        command.Parameters.AddWithValue("$limit", limit);
        return new LogSearchResult(await ReadLinesAsync(command, cancellationToken), matches);
    }

    /// <summary>Closes this file's pooled connections.</summary>
    public void Dispose() => _database.ClearPool();

    private static async Task<IReadOnlyList<LogLine>> ReadPageAsync(
        SqliteConnection connection, string jobId, long afterNumber, int limit, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT line_number, ts, stream, text FROM log_lines
            WHERE job_id = $job_id AND line_number > $after ORDER BY line_number LIMIT $limit
            """;
        command.Parameters.AddWithValue("$job_id", jobId);
        command.Parameters.AddWithValue("$after", afterNumber);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadLinesAsync(command, cancellationToken);
    }

    private static async Task<List<LogLine>> ReadLinesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var lines = new List<LogLine>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(new LogLine(
                reader.GetInt64(0),
                StorageTime.FromUnixMicroseconds(reader.GetInt64(1)),
                LogStreamNames.FromWire(reader.GetString(2)),
                reader.GetString(3)));
        }

        return lines;
    }
}
