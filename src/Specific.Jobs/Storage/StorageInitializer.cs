using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Specific.Jobs.Storage;

/// <summary>
/// Migrates the job store while the host starts, before any hosted service's StartAsync runs, so a bad database
/// fails the start instead of the first request. (Each store also migrates on first use, whoever comes first.)
/// </summary>
internal sealed class StorageInitializer(IJobStorageBackend jobs, StoreSchemaStatus schema) : IHostedLifecycleService, IStoreInitializer
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await jobs.InitializeAsync(cancellationToken);
            schema.Report(jobs.Schema);
        }
        catch (SqliteException unusable) when (jobs is SqliteJobStore sqlite)
        {
            throw new StoreStartupException(SqliteStoreFile.JobStore(sqlite.Path).Unusable(unusable), unusable);
        }
        catch (NpgsqlException unusable) when (jobs is PostgresJobStore postgres)
        {
            throw new StoreStartupException(PostgresStoreServer.JobStore(postgres.ConnectionString).Unusable(unusable), unusable);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
