using ClickHouse.Driver.ADO;
using Microsoft.Extensions.Options;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Logs;

/// <summary>Refuses a log configuration that cannot work, naming the environment variable that fixes it.</summary>
internal sealed class LogsOptionsValidator(IOptions<StorageOptions> storage) : IValidateOptions<LogsOptions>
{
    private const int MaxRetentionDays = 3650;
    private const long MinFullLogBytes = 64 * 1024;

    public ValidateOptionsResult Validate(string? name, LogsOptions options)
    {
        var provider = options.EffectiveProvider(storage.Value.Provider);
        if (provider is not (LogsOptions.SqliteProvider or LogsOptions.PostgresProvider or LogsOptions.ClickHouseProvider))
        {
            return ValidateOptionsResult.Fail(
                $"Logs:Provider is '{options.Provider}'. Set Logs__Provider to '{LogsOptions.SqliteProvider}', '{LogsOptions.PostgresProvider}' or '{LogsOptions.ClickHouseProvider}'.");
        }

        if (!string.Equals(options.Source, LogsOptions.StoreSource, StringComparison.OrdinalIgnoreCase) && !options.ReadsOtelLogs)
        {
            return ValidateOptionsResult.Fail(
                $"Logs:Source is '{options.Source}'. Set Logs__Source to '{LogsOptions.StoreSource}' (the worker stores what it follows) "
                + $"or '{LogsOptions.OtelLogsSource}' (an OpenTelemetry collector ships pod logs to ClickHouse).");
        }

        if (options.RetentionDays is < 1 or > MaxRetentionDays)
        {
            return ValidateOptionsResult.Fail(
                $"Logs:RetentionDays is {options.RetentionDays}. Set Logs__RetentionDays to a number of days from 1 to {MaxRetentionDays}, for example 30.");
        }

        if (options.FullLogMaxBytes < MinFullLogBytes)
        {
            return ValidateOptionsResult.Fail(
                $"Logs:FullLogMaxBytes is {options.FullLogMaxBytes}. Set Logs__FullLogMaxBytes to at least {MinFullLogBytes} bytes, for example 26214400 (25 MiB).");
        }

        if (provider == LogsOptions.PostgresProvider && !storage.Value.IsPostgres && !options.ReadsOtelLogs)
        {
            return ValidateOptionsResult.Fail(
                "Logs:Provider is 'postgres', which keeps logs in the job store's database, but Storage:Provider is not. "
                + "Set Storage__Provider=postgres with Storage__ConnectionString, or set Logs__Provider to 'sqlite' or 'clickhouse'.");
        }

        if (provider == LogsOptions.ClickHouseProvider || options.ReadsOtelLogs)
        {
            var why = options.ReadsOtelLogs ? "Logs:Source is 'otel_logs'" : "Logs:Provider is 'clickhouse'";
            if (string.IsNullOrWhiteSpace(options.ClickHouse.ConnectionString))
            {
                return ValidateOptionsResult.Fail(
                    $"{why} but no ClickHouse connection string is set. Set Logs__ClickHouse__ConnectionString, "
                    + "for example 'Host=clickhouse;Port=8123;Username=jobs;Password=...;Database=jobs'.");
            }

            try
            {
                new ClickHouseClientSettings(options.ClickHouse.ConnectionString).Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
            {
                return ValidateOptionsResult.Fail($"Logs__ClickHouse__ConnectionString is not a valid ClickHouse connection string: {e.Message}");
            }

            if (options.ClickHouse.InsertBatchSize < 1)
            {
                return ValidateOptionsResult.Fail("Logs:ClickHouse:InsertBatchSize must be at least 1. Set Logs__ClickHouse__InsertBatchSize, for example 10000.");
            }

            if (string.IsNullOrWhiteSpace(options.ClickHouse.JobIdAttribute))
            {
                return ValidateOptionsResult.Fail("Logs:ClickHouse:JobIdAttribute is empty. Unset Logs__ClickHouse__JobIdAttribute to use the default.");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
