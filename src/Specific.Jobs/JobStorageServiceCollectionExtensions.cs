using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Specific.Jobs.Logs;
using Specific.Jobs.Observability;
using Specific.Jobs.Readiness;
using Specific.Jobs.Storage;

namespace Specific.Jobs;

/// <summary>Registers the job store, thread store, request ledger and log store chosen by the "Storage" and "Logs" sections.</summary>
public static class JobStorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="StorageOptions"/> (validated at start-up) and registers one store instance behind
    /// <see cref="IJobStore"/> (counting final states on <see cref="JobMetrics"/>), <see cref="IThreadStore"/>, <see cref="IRequestLedger"/> and
    /// <see cref="IAuditLog"/>, the start-up migration, the <see cref="StoreWriteChecks"/> readiness asks, and the <see cref="ILogStore"/> the "Logs" section picks
    /// (<see cref="LogStoreServiceCollectionExtensions.AddJobLogs"/>). Uses the registered <see cref="TimeProvider"/>, or the system clock.
    /// </summary>
    public static IServiceCollection AddJobStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddJobStoreProvider(configuration);
        services.AddMetrics();
        services.TryAddSingleton(sp => new JobMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IJobStore>(sp => new MeteredJobStore(sp.GetRequiredService<IJobStorageBackend>(), sp.GetRequiredService<JobMetrics>()));

        services.TryAddSingleton(sp => new StoreWriteChecks(
            StoreWriteChecks.For(sp.GetRequiredService<IJobStorageBackend>(), sp.GetRequiredService<ILogStore>(), sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<TimeProvider>()));
        services.AddJobLogs(configuration);
        return services;
    }
}
