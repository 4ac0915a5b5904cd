using ClickHouse.Driver;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Specific.Jobs.Logs.ClickHouse;
using Specific.Jobs.Logs.Postgres;
using Specific.Jobs.Logs.Sqlite;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Logs;

/// <summary>Registers the log store chosen by the "Logs" section (validated at start-up) and its start-up migration.</summary>
public static class LogStoreServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="LogsOptions"/> and registers <see cref="ILogStore"/>: SQLite, PostgreSQL (the job store's
    /// database) or ClickHouse per <c>Logs:Provider</c>, or the <c>otel_logs</c> reader when <c>Logs:Source</c> says so.
    /// Called by <c>AddJobStorage</c>; needs <see cref="StorageOptions"/> and, for otel_logs and ClickHouse, <see cref="IJobStore"/>.
    /// </summary>
    public static IServiceCollection AddJobLogs(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LogsOptions>().Bind(configuration.GetSection(LogsOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LogsOptions>, LogsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<IClickHouseGateway>(sp =>
            new ClickHouseDriverGateway(new ClickHouseClient(Logs(sp).ClickHouse.ConnectionString!)));
        services.TryAddSingleton(sp => Create(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreInitializer, LogStoreInitializer>());
        services.AddHostedService<LogStoreInitializer>();
        return services;
    }

    private static ILogStore Create(IServiceProvider sp)
    {
        var logs = Logs(sp);
        var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (logs.ReadsOtelLogs)
        {
            return new OtelLogsSource(
                sp.GetRequiredService<IClickHouseGateway>(), sp.GetRequiredService<IJobStore>(), sp.GetRequiredService<TimeProvider>(),
                logs.ClickHouse.JobIdAttribute);
        }

        return logs.EffectiveProvider(storage.Provider) switch
        {
            LogsOptions.ClickHouseProvider => new ClickHouseLogStore(
                sp.GetRequiredService<IClickHouseGateway>(), sp.GetRequiredService<IJobStore>(), logs.RetentionDays, logs.ClickHouse.InsertBatchSize),
            LogsOptions.PostgresProvider => new PostgresLogStore(
                sp.GetRequiredService<NpgsqlDataSource>(), logger: sp.GetService<ILogger<PostgresLogStore>>()),
            _ => new SqliteLogStore(storage.LogsPath),
        };
    }

    private static LogsOptions Logs(IServiceProvider services) => services.GetRequiredService<IOptions<LogsOptions>>().Value;
}
