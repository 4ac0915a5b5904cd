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
