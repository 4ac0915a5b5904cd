using Specific.Jobs.Logs.Postgres;
using Specific.Jobs.Storage;
using Specific.Jobs.Tests.Storage;

namespace Specific.Jobs.Tests.Retention;

/// <summary>The retention contract on the real PostgreSQL of JOBSBOT_TEST_POSTGRES: job and log stores in one schema of its own.</summary>
public sealed class PostgresRetentionTests : RetentionContract
{
    private PostgresTestDatabase? _database;

    private PostgresTestDatabase Database => _database ??= PostgresTestDatabase.CreateOrSkip();

    protected override async Task<RetainedStores> OpenAsync()
    {
        var jobs = new PostgresJobStore(Database.NewDataSource(), Clock);
        var logs = new PostgresLogStore(Database.NewDataSource());
        await jobs.InitializeAsync(Ct);
        await logs.InitializeAsync(Ct);
        return new RetainedStores(jobs, jobs, jobs, jobs, logs);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
