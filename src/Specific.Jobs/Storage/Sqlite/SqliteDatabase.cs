using Microsoft.Data.Sqlite;

namespace Specific.Jobs.Storage;

/// <summary>
/// One SQLite file: opens pooled connections set up for several writers (WAL, busy timeout) and applies a
/// store's migrations under the file's write lock, so two processes starting together do not race.
/// </summary>
internal sealed class SqliteDatabase
{
    // How long a writer waits for another writer before SQLite reports the file busy.
    private const int BusyTimeoutMilliseconds = 10_000;

    /// <summary>The table the readiness write probe (<c>SqliteWriteProbe</c>) writes its heartbeat to, beside schema_migrations in every file.</summary>
    public const string HeartbeatTable = "store_heartbeat";

    private readonly string _connectionString;
    private readonly string _creatingConnectionString;

    public SqliteDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        // Only the migration creates the file: a file deleted under the running bot then fails loudly instead of
        // coming back empty at its path while the old one's writes go on unseen.
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
        _creatingConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
    }

    public string Path { get; }

    /// <summary>A pooled connection to the file, which must exist (the migration creates it).</summary>
    public Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(_connectionString, cancellationToken);

    private static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Per connection: pooled connections keep them, new ones need them. WAL makes NORMAL durable enough.
            await ExecuteAsync(connection, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL;", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Applies the steps not yet recorded, all in one transaction under the write lock; answers the schema version found after.</summary>
    public async Task<SchemaVersion> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(_creatingConnectionString, cancellationToken);
        // WAL is a property of the file: set once, it lets readers work while one process writes.
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken);
        // BEGIN IMMEDIATE takes the write lock first: a second process waits here, then finds the steps applied.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
            """, cancellationToken, transaction);
        // Not a store's table: readiness writes here to learn that the file at the path still takes this pool's writes.
        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS {HeartbeatTable} (
                probe TEXT PRIMARY KEY,
                beat  TEXT NOT NULL,
                at    INTEGER NOT NULL
            ) WITHOUT ROWID
            """, cancellationToken, transaction);
        var applied = new HashSet<long>();
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT version FROM schema_migrations";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        foreach (var migration in migrations.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
        {
            await ExecuteAsync(connection, migration.Sql, cancellationToken, transaction);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, name) VALUES ($version, $name)";
            record.Parameters.AddWithValue("$version", migration.Version);
            record.Parameters.AddWithValue("$name", migration.Name);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return Migration.VersionAfter(migrations, applied);
    }

    /// <summary>Closes the pooled connections to this file, so it can be moved or deleted.</summary>
    public void ClearPool()
    {
        foreach (var connectionString in new[] { _connectionString, _creatingConnectionString })
        {
            using var connection = new SqliteConnection(connectionString);
            SqliteConnection.ClearPool(connection);
        }
    }

    public static async Task ExecuteAsync(
        SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
