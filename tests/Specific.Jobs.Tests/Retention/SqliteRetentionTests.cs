using Specific.Jobs.Logs.Sqlite;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Retention;

/// <summary>The retention contract on the embedded default: a SQLite job store and its logs.db beside it.</summary>
public sealed class SqliteRetentionTests : RetentionContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "specific-jobs-tests", Guid.NewGuid().ToString("N"));
    private readonly List<IDisposable> _stores = [];

    protected override async Task<RetainedStores> OpenAsync()
    {
        var jobs = new SqliteJobStore(Path.Combine(_directory, "jobs.db"), Clock);
        var logs = new SqliteLogStore(Path.Combine(_directory, "logs.db"));
        _stores.Add(jobs);
        _stores.Add(logs);
        await jobs.InitializeAsync(Ct);
        await logs.InitializeAsync(Ct);
        return new RetainedStores(jobs, jobs, jobs, jobs, logs);
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
