using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Specific.Jobs.Logs;
using Specific.Jobs.Observability;

namespace Specific.Jobs.Storage;

/// <summary>Registers the job store, thread store, request ledger and log store chosen by the "Storage" section.</summary>
public static class StorageServiceCollectionExtensions
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
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => NpgsqlDataSource.Create(Options(sp).ConnectionString!));
        services.TryAddSingleton<IJobStorageBackend>(sp => Options(sp).IsPostgres
            ? new PostgresJobStore(
                sp.GetRequiredService<NpgsqlDataSource>(),
                sp.GetRequiredService<TimeProvider>(),
                logger: sp.GetService<ILogger<PostgresJobStore>>())
            : new SqliteJobStore(Options(sp).SqlitePath, sp.GetRequiredService<TimeProvider>()));
        services.AddMetrics();
        services.TryAddSingleton(sp => new JobMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IJobStore>(sp => new MeteredJobStore(sp.GetRequiredService<IJobStorageBackend>(), sp.GetRequiredService<JobMetrics>()));
        services.TryAddSingleton<IThreadStore>(sp => sp.GetRequiredService<IJobStorageBackend>());
        services.TryAddSingleton<IRequestLedger>(sp => sp.GetRequiredService<IJobStorageBackend>());
        services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<IJobStorageBackend>());

        services.TryAddSingleton(sp => new StoreWriteChecks(
            StoreWriteChecks.For(sp.GetRequiredService<IJobStorageBackend>(), sp.GetRequiredService<ILogStore>(), sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<StorageInitializer>();
        services.AddJobLogs(configuration);
        return services;
    }

    private static StorageOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<StorageOptions>>().Value;
}
