using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Specific.Jobs.Storage;

/// <summary>Registers the job store provider the "Storage" section picks, without the decorations the host adds around it.</summary>
internal static class StoreProviderServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="StorageOptions"/> (validated at start-up) and registers one PostgreSQL or SQLite store behind
    /// <see cref="IJobStorageBackend"/>, <see cref="IThreadStore"/>, <see cref="IRequestLedger"/>, <see cref="IAuditLog"/>,
    /// <see cref="IRequesterNotices"/> and <see cref="IStoreRetention"/>, and its start-up migration; binds
    /// <see cref="RetentionOptions"/> (request keys are kept its hours). Uses the registered <see cref="TimeProvider"/>, or the system clock.
    /// </summary>
    public static IServiceCollection AddJobStoreProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StoreSchemaStatus>();

        services.TryAddSingleton(sp => NpgsqlDataSource.Create(Options(sp).ConnectionString!));
        services.TryAddSingleton<IJobStorageBackend>(sp => Options(sp).IsPostgres
            ? new PostgresJobStore(
                sp.GetRequiredService<NpgsqlDataSource>(),
                sp.GetRequiredService<TimeProvider>(),
                new PostgresJobStoreOptions { RequestKeyRetention = Retention(sp).RequestKeyRetention },
                sp.GetService<ILogger<PostgresJobStore>>())
            : new SqliteJobStore(
                Options(sp).SqlitePath,
                sp.GetRequiredService<TimeProvider>(),
                new SqliteJobStoreOptions { RequestKeyRetention = Retention(sp).RequestKeyRetention }));
        services.TryAddSingleton<IThreadStore>(sp => sp.GetRequiredService<IJobStorageBackend>());
        services.TryAddSingleton<IRequestLedger>(sp => sp.GetRequiredService<IJobStorageBackend>());
        services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<IJobStorageBackend>());
        services.TryAddSingleton<IRequesterNotices>(sp => sp.GetRequiredService<IJobStorageBackend>());
        services.TryAddSingleton<IStoreRetention>(sp => sp.GetRequiredService<IJobStorageBackend>());
        services.TryAddSingleton<IApprovalStore>(sp => sp.GetRequiredService<IJobStorageBackend>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreInitializer, StorageInitializer>());
        services.AddHostedService<StorageInitializer>();
        return services;
    }

    private static StorageOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<StorageOptions>>().Value;

    private static RetentionOptions Retention(IServiceProvider services) =>
        services.GetRequiredService<IOptions<RetentionOptions>>().Value;
}
