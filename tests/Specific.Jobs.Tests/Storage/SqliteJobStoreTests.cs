using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>The job store contract on a SQLite file of its own; a second store on the file stands for a second process.</summary>
public sealed class SqliteJobStoreTests : JobStoreContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "specific-jobs-tests", Guid.NewGuid().ToString("N"));
    private readonly List<SqliteJobStore> _stores = [];

    private string DatabasePath => Path.Combine(_directory, "jobs.db");

    protected override async Task<JobStores> OpenAsync()
    {
        var store = new SqliteJobStore(
            DatabasePath, Clock, new SqliteJobStoreOptions { WatchPollInterval = TimeSpan.FromMilliseconds(200) });
        _stores.Add(store);
        await store.InitializeAsync(Ct);
        return JobStores.Of(store);
    }

    [Fact]
    public async Task Database_file_is_created_with_its_folder_and_uses_write_ahead_logging()
    {
        await OpenAsync();

        Assert.True(File.Exists(DatabasePath));
        Assert.True(File.Exists(DatabasePath + "-wal"));
    }

    [Fact]
    public async Task Store_used_before_start_up_migrates_itself_first()
    {
        var store = new SqliteJobStore(DatabasePath, Clock);
        _stores.Add(store);

        var job = await store.CreateAsync(
            new JobRequest("web", "production", "echo hi", null, new JobOrigin("api")), Ct);

        Assert.Equal(JobState.Pending, (await store.GetAsync(job.Id, Ct))!.State);
    }

    [Fact]
    public async Task Stores_starting_together_on_one_file_all_migrate_cleanly()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => new SqliteJobStore(DatabasePath, Clock)).ToList();
        _stores.AddRange(stores);

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(Ct))));

        Assert.Empty(await stores[3].ListAsync(new JobQuery(), Ct));
    }

    [Fact]
    public async Task Audit_entries_written_before_log_reads_were_audited_keep_their_ids_through_the_upgrade()
    {
        var before = (await OpenAsync()).Audit;
        var old = await before.AppendAsync(new AuditEntry(0, Start, AuditAction.Run, AuditOutcome.Refused, "production", "web", null, "T1", "U1", "C1", "echo hi", "rule", "refused"), Ct);
        // The file as schema version 2 left it: the action CHECK without 'logs', and migration 3 not applied.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE audit_v2 (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('run', 'rerun', 'confirm', 'cancel', 'audit')),
                    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused', 'confirmation_requested')),
                    environment TEXT NOT NULL, service TEXT, job_id TEXT, team_id TEXT, user_id TEXT, channel_id TEXT,
                    command_text TEXT, rule TEXT, detail TEXT);
                INSERT INTO audit_v2 SELECT * FROM audit_entries;
                DROP TABLE audit_entries;
                ALTER TABLE audit_v2 RENAME TO audit_entries;
                DELETE FROM schema_migrations WHERE version = 3;
                """;
            await command.ExecuteNonQueryAsync(Ct);
        }

        var upgraded = (await OpenAsync()).Audit;
        var read = await upgraded.AppendAsync(old with { Id = 0, Action = AuditAction.Logs, Outcome = AuditOutcome.Allowed }, Ct);

        var listed = await upgraded.ListAsync(new AuditQuery(), Ct);
        Assert.Equal([(read.Id, AuditAction.Logs), (old.Id, AuditAction.Run)], listed.Select(e => (e.Id, e.Action)));
        Assert.True(read.Id > old.Id);
    }

    [Fact]
    public async Task Jobs_recorded_before_time_limits_existed_read_as_no_limit_recorded_after_the_upgrade()
    {
        var before = (await OpenAsync()).Jobs;
        var old = await before.CreateAsync(new JobRequest("web", "production", "echo hi", null, new JobOrigin("api")), Ct);
        // The file as schema version 5 left it: no timeout_seconds column, and migration 6 not applied.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE jobs DROP COLUMN timeout_seconds; DELETE FROM schema_migrations WHERE version = 6;";
            await command.ExecuteNonQueryAsync(Ct);
        }

        var upgraded = (await OpenAsync()).Jobs;
        var limited = await upgraded.CreateAsync(
            new JobRequest("web", "production", "sleep 5", null, new JobOrigin("api")) { Timeout = TimeSpan.FromMinutes(10) }, Ct);

        Assert.Null((await upgraded.GetAsync(old.Id, Ct))!.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(10), (await upgraded.GetAsync(limited.Id, Ct))!.Timeout);
    }

    public override ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
