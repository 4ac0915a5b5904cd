using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Specific.Jobs.Logs;

namespace Specific.Jobs.Storage;

/// <summary>
/// Migrates the job store while the host starts, before any hosted service's StartAsync runs, so a bad database
/// fails the start instead of the first request. (Each store also migrates on first use, whoever comes first.)
/// </summary>
internal sealed class StorageInitializer(IJobStorageBackend jobs) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await jobs.InitializeAsync(cancellationToken);
        }
        catch (SqliteException unusable) when (jobs is SqliteJobStore sqlite)
        {
            throw new StoreStartupException(SqliteStoreFile.JobStore(sqlite.Path).Unusable(unusable), unusable);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Opens and migrates the stores on demand, for an entry point that wants a bad store told before the host starts.</summary>
public static class StorageStartup
{
    /// <summary>
    /// Migrates the job store and the log store now, as their start-up steps would; a SQLite file that cannot be used
    /// throws <see cref="StoreStartupException"/> naming the file and its setting. The host's own steps then find them done.
    /// </summary>
    public static async Task PrepareAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await new StorageInitializer(services.GetRequiredService<IJobStorageBackend>()).StartingAsync(cancellationToken);
        await new LogStoreInitializer(services.GetRequiredService<ILogStore>()).StartingAsync(cancellationToken);
    }
}
