using Npgsql;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>
/// The job store contract on the real PostgreSQL of JOBSBOT_TEST_POSTGRES, in a schema of its own per test;
/// each store has its own data source, as each replica would.
/// </summary>
public sealed class PostgresJobStoreTests : JobStoreContract
{
    private PostgresTestDatabase? _database;

    private PostgresTestDatabase Database => _database ??= PostgresTestDatabase.CreateOrSkip();

    protected override async Task<JobStores> OpenAsync() => JobStores.Of(await OpenStoreAsync());

    private async Task<PostgresJobStore> OpenStoreAsync(PostgresJobStoreOptions? options = null)
    {
        var store = new PostgresJobStore(Database.NewDataSource(), Clock, options, new TestOutputLogger<PostgresJobStore>());
        await store.InitializeAsync(Ct);
        return store;
    }

    [Fact]
    public async Task Schema_comes_from_the_connection_string_search_path()
    {
        var store = await OpenStoreAsync();

        await store.CreateAsync(new JobRequest("web", "production", "echo hi", null, new JobOrigin("api")), Ct);

        await using var dataSource = NpgsqlDataSource.Create(Database.ServerConnectionString);
        await using var count = dataSource.CreateCommand($"SELECT count(*) FROM \"{Database.Schema}\".jobs");
        Assert.Equal(1L, await count.ExecuteScalarAsync(Ct));
        Assert.Equal(Database.Schema + "_job_changes", store.Channel);
    }

    [Fact]
    public async Task Replicas_starting_together_apply_each_migration_once()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresJobStore(Database.NewDataSource(), Clock)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(Ct))));

        await using var dataSource = NpgsqlDataSource.Create(Database.ServerConnectionString);
        await using var applied = dataSource.CreateCommand(
            $"SELECT count(*), count(DISTINCT version) FROM \"{Database.Schema}\".schema_migrations");
        await using var reader = await applied.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        Assert.True(reader.GetInt64(0) >= 1);
        Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
    }

    [Fact]
    public async Task Notify_reaches_a_watcher_on_another_replica_without_waiting_for_a_heartbeat()
    {
        var watched = await OpenStoreAsync(new PostgresJobStoreOptions { WatchHeartbeat = TimeSpan.FromMinutes(5) });
        var writer = await OpenStoreAsync();
        await using var watcher = new ChangeWatcher(watched);
        var first = await writer.CreateAsync(new JobRequest("web", "production", "echo 1", null, new JobOrigin("api")), Ct);
        // Once the first notice is in, the listener is up and only NOTIFY can deliver the next one.
        await watcher.WaitForAsync(first.Id, 1);

        var second = await writer.CreateAsync(new JobRequest("web", "production", "echo 2", null, new JobOrigin("api")), Ct);

        await watcher.WaitForAsync(second.Id, 1, timeout: TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Watcher_recovers_after_its_connection_is_killed_and_loses_no_change_made_meanwhile()
    {
        var watched = await OpenStoreAsync();
        var writer = await OpenStoreAsync();
        await using var watcher = new ChangeWatcher(watched);
        var before = await writer.CreateAsync(new JobRequest("web", "production", "echo 1", null, new JobOrigin("api")), Ct);
        await watcher.WaitForAsync(before.Id, 1);

        var killed = await Database.ScalarAsync($"""
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE application_name = '{watched.ListenerApplicationName}'
            """);
        Assert.Equal(1L, killed);
        var meanwhile = await writer.TryTransitionAsync(before.Id, JobState.Pending, new JobTransition(JobState.Queued, Start), Ct);
        await watcher.WaitForAsync(before.Id, meanwhile.Job!.Version);

        var after = await writer.CreateAsync(new JobRequest("web", "production", "echo 2", null, new JobOrigin("api")), Ct);
        await watcher.WaitForAsync(after.Id, 1);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
