using Microsoft.Extensions.DependencyInjection;

namespace Specific.Jobs.Storage;

/// <summary>A store's start-up migration: run by the host as it starts, or earlier by <see cref="StorageStartup"/>.</summary>
internal interface IStoreInitializer
{
    /// <summary>Migrates the store; a SQLite file that cannot be used throws <see cref="StoreStartupException"/>.</summary>
    Task StartingAsync(CancellationToken cancellationToken);
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
        // In registration order: the job store first, then the log store.
        foreach (var store in services.GetServices<IStoreInitializer>())
        {
            await store.StartingAsync(cancellationToken);
        }
    }
}
