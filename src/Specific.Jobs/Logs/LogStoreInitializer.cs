using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Specific.Jobs.Logs.ClickHouse;
using Specific.Jobs.Logs.Postgres;
using Specific.Jobs.Logs.Sqlite;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Logs;

/// <summary>Migrates the log store while the host starts, so a bad database fails the start and not the first job.</summary>
internal sealed class LogStoreInitializer(ILogStore logs) : IHostedLifecycleService, IStoreInitializer
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await (logs switch
            {
                SqliteLogStore sqlite => sqlite.InitializeAsync(cancellationToken),
                PostgresLogStore postgres => postgres.InitializeAsync(cancellationToken),
                ClickHouseLogStore clickHouse => clickHouse.InitializeAsync(cancellationToken),
                _ => Task.CompletedTask,
            });
        }
        catch (SqliteException unusable) when (logs is SqliteLogStore sqlite)
        {
            throw new StoreStartupException(SqliteStoreFile.LogStore(sqlite.Path).Unusable(unusable), unusable);
        }
        catch (NpgsqlException unusable) when (logs is PostgresLogStore postgres)
        {
            throw new StoreStartupException(PostgresStoreServer.LogStore(postgres.ConnectionString).Unusable(unusable), unusable);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
