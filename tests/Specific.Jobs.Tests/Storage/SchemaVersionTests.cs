using Microsoft.Data.Sqlite;
using Npgsql;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>
/// What a migration finds: the schema version on both stores, a schema a newer release left (a rolled-back pod) worked
/// on rather than refused, and PostgreSQL's migration lock, which a second initializer waits for.
/// </summary>
public sealed class SchemaVersionTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("schema-version-").FullName;
    private readonly List<SqliteJobStore> _sqliteStores = [];
    private PostgresTestDatabase? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresTestDatabase Database => _database ??= PostgresTestDatabase.CreateOrSkip();

    [Fact]
    public async Task A_SQLite_store_migrated_by_a_newer_release_is_reported_as_newer_and_still_works()
    {
        var path = Path.Combine(_directory, "jobs.db");
        var current = Sqlite(path);
        await current.InitializeAsync(Ct);
        Assert.Equal(new SchemaVersion(SqliteMigrations.All.Count, SqliteMigrations.All.Count), current.Schema);
        Assert.False(current.Schema!.IsNewer);
        await using (var newer = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await newer.OpenAsync(Ct);
            await using var command = newer.CreateCommand();
            // What a newer release's expand step would leave: a column this release does not know, and its record.
            command.CommandText = "ALTER TABLE jobs ADD COLUMN from_a_newer_release TEXT; INSERT INTO schema_migrations (version, name) VALUES (99, 'a newer release');";
            await command.ExecuteNonQueryAsync(Ct);
        }

        var rolledBack = Sqlite(path);
        await rolledBack.InitializeAsync(Ct);

        Assert.Equal(new SchemaVersion(SqliteMigrations.All.Count, 99), rolledBack.Schema);
        Assert.True(rolledBack.Schema!.IsNewer);
        Assert.Contains($"newer than {SqliteMigrations.All.Count}", rolledBack.Schema.Describe(), StringComparison.Ordinal);
        await AssertWorksAsync(rolledBack);
    }

    [Fact]
    public async Task A_PostgreSQL_store_migrated_by_a_newer_release_is_reported_as_newer_and_still_works()
    {
        var current = new PostgresJobStore(Database.NewDataSource(), TimeProvider.System);
        await current.InitializeAsync(Ct);
        Assert.Equal(new SchemaVersion(PostgresMigrations.All.Count, PostgresMigrations.All.Count), current.Schema);
        await Database.ExecuteAsync(
            $"ALTER TABLE \"{Database.Schema}\".jobs ADD COLUMN from_a_newer_release text; "
            + $"INSERT INTO \"{Database.Schema}\".schema_migrations (version, name) VALUES (99, 'a newer release')");

        var rolledBack = new PostgresJobStore(Database.NewDataSource(), TimeProvider.System);
        await rolledBack.InitializeAsync(Ct);

        Assert.Equal(new SchemaVersion(PostgresMigrations.All.Count, 99), rolledBack.Schema);
        await AssertWorksAsync(rolledBack);
    }

    [Fact]
    public async Task A_PostgreSQL_initializer_waits_for_the_migration_lock_another_holds_and_then_finds_nothing_half_applied()
    {
        var key = $"specific-jobs-migrations:{Database.Schema}";
        await using var holder = await Database.NewDataSource().OpenConnectionAsync(Ct);
        await using var transaction = await holder.BeginTransactionAsync(Ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", holder, transaction))
        {
            take.Parameters.AddWithValue("key", key);
            await take.ExecuteNonQueryAsync(Ct);
        }

        var waiting = new PostgresJobStore(Database.NewDataSource(), TimeProvider.System);
        var initializing = waiting.InitializeAsync(Ct);

        await UntilAsync(() => WaitersAsync(key), "the second initializer to wait on the migration lock");
        Assert.False(initializing.IsCompleted);
        // Nothing of the schema exists while the holder's migration would be running.
        Assert.Equal(true, await Database.ScalarAsync($"SELECT to_regclass('\"{Database.Schema}\".schema_migrations') IS NULL"));

        await transaction.CommitAsync(Ct);
        await initializing.WaitAsync(Patience, Ct);

        Assert.Equal((long)PostgresMigrations.All.Count, await Database.ScalarAsync($"SELECT count(*) FROM \"{Database.Schema}\".schema_migrations"));
        Assert.False(await WaitersAsync(key));
        await AssertWorksAsync(waiting);
    }

    private static async Task AssertWorksAsync(IJobStore store)
    {
        var job = await store.CreateAsync(new JobRequest("web", "production", "echo hi", null, new JobOrigin("api")), Ct);
        Assert.Equal(JobState.Pending, (await store.GetAsync(job.Id, Ct))?.State);
    }

    /// <summary>Whether a session waits for the advisory lock of this key (pg_locks splits its 64 bits into classid and objid).</summary>
    private async Task<bool> WaitersAsync(string key)
    {
        await using var dataSource = NpgsqlDataSource.Create(Database.ServerConnectionString);
        await using var command = dataSource.CreateCommand("""
            WITH k AS (SELECT hashtextextended(@key, 0) AS v)
            SELECT count(*) FROM pg_locks, k
            WHERE locktype = 'advisory' AND NOT granted
              AND classid = ((k.v >> 32) & 4294967295)::oid AND objid = (k.v & 4294967295)::oid
            """);
        command.Parameters.AddWithValue("key", key);
        return (long)(await command.ExecuteScalarAsync(Ct))! > 0;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Waited {Patience.TotalSeconds:0} s for {what}.");
            await Task.Delay(50, Ct);
        }
    }

    private SqliteJobStore Sqlite(string path)
    {
        var store = new SqliteJobStore(path, TimeProvider.System);
        _sqliteStores.Add(store);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _sqliteStores)
        {
            store.Dispose();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
