using Microsoft.Data.Sqlite;
using Npgsql;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>
/// The upgrade procedure on real stores, for every step: a store as the previous release left it (migrations up to
/// N-1, rows it wrote), migrated by this release, while the previous release's readers (a SELECT of every column it
/// knew) and writers (an INSERT of the columns it knew) keep working, and this release reads what the old one wrote.
/// </summary>
public sealed class UpgradeTests : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("upgrade-").FullName;
    private readonly List<SqliteJobStore> _sqliteStores = [];
    private readonly List<PostgresTestDatabase> _databases = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<int> SqliteSteps => [.. Enumerable.Range(2, SqliteMigrations.All.Count - 1)];

    public static TheoryData<int> PostgresSteps => [.. Enumerable.Range(2, PostgresMigrations.All.Count - 1)];

    [Theory]
    [MemberData(nameof(SqliteSteps))]
    public async Task A_SQLite_store_of_the_previous_release_upgrades_while_its_readers_and_writers_keep_working(int step)
    {
        var path = Path.Combine(_directory, $"jobs-{step}.db");
        await using var old = new SqliteConnection($"Data Source={path};Pooling=False");
        await old.OpenAsync(Ct);
        await ExecuteAsync(old, "PRAGMA journal_mode = WAL");
        await ExecuteAsync(old, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))");
        foreach (var previous in SqliteMigrations.All.Where(m => m.Version < step))
        {
            await ExecuteAsync(old, previous.Sql);
            await ExecuteAsync(old, $"INSERT INTO schema_migrations (version, name) VALUES ({previous.Version}, 'as the previous release applied it')");
        }

        var columns = await ColumnsAsync(old, "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'");
        const string OldInsert = "INSERT INTO jobs (id, service, environment, command, origin_client, state, version, created_at, change_seq) "
            + "VALUES ('{0}', 'web', 'production', 'echo old', 'api', 'pending', 1, 1796000000000000, (SELECT coalesce(max(change_seq), 0) + 1 FROM jobs))";
        await ExecuteAsync(old, string.Format(System.Globalization.CultureInfo.InvariantCulture, OldInsert, "j-before"));

        var store = new SqliteJobStore(path, TimeProvider.System);
        _sqliteStores.Add(store);
        await store.InitializeAsync(Ct);

        Assert.Equal(new SchemaVersion(SqliteMigrations.All.Count, SqliteMigrations.All.Count), store.Schema);
        await ReadEveryOldColumnAsync(columns, sql => ExecuteAsync(old, sql));
        await ExecuteAsync(old, string.Format(System.Globalization.CultureInfo.InvariantCulture, OldInsert, "j-during"));
        Assert.Equal("echo old", (await store.GetAsync("j-before", Ct))?.Command);
        Assert.Equal(JobState.Pending, (await store.GetAsync("j-during", Ct))?.State);
    }

    [Theory]
    [MemberData(nameof(PostgresSteps))]
    public async Task A_PostgreSQL_store_of_the_previous_release_upgrades_while_its_readers_and_writers_keep_working(int step)
    {
        var database = PostgresTestDatabase.CreateOrSkip();
        _databases.Add(database);
        var schema = '"' + database.Schema + '"';
        var old = database.NewDataSource();
        await ExecuteAsync(old, $"CREATE SCHEMA {schema}; CREATE TABLE {schema}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        foreach (var previous in PostgresMigrations.All.Where(m => m.Version < step))
        {
            await ExecuteAsync(old, previous.Sql.Replace("{schema}", schema, StringComparison.Ordinal));
            await ExecuteAsync(old, $"INSERT INTO {schema}.schema_migrations (version, name) VALUES ({previous.Version}, 'as the previous release applied it')");
        }

        var columns = await ColumnsAsync(old, $"SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = '{database.Schema}'");
        var oldInsert = $"INSERT INTO {schema}.jobs (id, service, environment, command, origin_client, state, version, created_at, updated_at) "
            + "VALUES ('{0}', 'web', 'production', 'echo old', 'api', 'pending', 1, now(), now())";
        await ExecuteAsync(old, string.Format(System.Globalization.CultureInfo.InvariantCulture, oldInsert, "j-before"));

        var store = new PostgresJobStore(database.NewDataSource(), TimeProvider.System);
        await store.InitializeAsync(Ct);

        Assert.Equal(new SchemaVersion(PostgresMigrations.All.Count, PostgresMigrations.All.Count), store.Schema);
        await ReadEveryOldColumnAsync(columns.ToDictionary(t => $"{schema}.\"{t.Key}\"", t => t.Value), sql => ExecuteAsync(old, sql));
        await ExecuteAsync(old, string.Format(System.Globalization.CultureInfo.InvariantCulture, oldInsert, "j-during"));
        Assert.Equal("echo old", (await store.GetAsync("j-before", Ct))?.Command);
        Assert.Equal(JobState.Pending, (await store.GetAsync("j-during", Ct))?.State);
    }

    /// <summary>The previous release's readers: every column it knew, of every table it had, still selects.</summary>
    private static async Task ReadEveryOldColumnAsync(IReadOnlyDictionary<string, List<string>> columns, Func<string, Task> execute)
    {
        Assert.Contains(columns.Keys, table => table.Contains("jobs", StringComparison.Ordinal));
        foreach (var (table, names) in columns)
        {
            await execute($"SELECT {string.Join(", ", names.Select(name => '"' + name + '"'))} FROM {table}");
        }
    }

    private static async Task<Dictionary<string, List<string>>> ColumnsAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await ReadColumnsAsync(command);
    }

    private static async Task<Dictionary<string, List<string>>> ColumnsAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return await ReadColumnsAsync(command);
    }

    private static async Task<Dictionary<string, List<string>>> ReadColumnsAsync(System.Data.Common.DbCommand command)
    {
        var columns = new Dictionary<string, List<string>>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            var table = reader.GetString(0);
            if (!columns.TryGetValue(table, out var names))
            {
                names = [];
                columns[table] = names;
            }

            names.Add(reader.GetString(1));
        }

        return columns;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _sqliteStores)
        {
            store.Dispose();
        }

        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
