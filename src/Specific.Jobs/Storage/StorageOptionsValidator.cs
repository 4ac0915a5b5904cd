using Microsoft.Extensions.Options;
using Npgsql;

namespace Specific.Jobs.Storage;

/// <summary>Refuses a storage configuration that cannot work, naming the environment variable that fixes it.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (!string.Equals(options.Provider, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase) && !options.IsPostgres)
        {
            return ValidateOptionsResult.Fail(
                $"Storage:Provider is '{options.Provider}'. Set Storage__Provider to '{StorageOptions.Sqlite}' or '{StorageOptions.Postgres}'.");
        }

        if (options.IsPostgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                return ValidateOptionsResult.Fail(
                    "Storage:Provider is 'postgres' but no connection string is set. Set Storage__ConnectionString, "
                    + "for example 'Host=db;Username=jobsbot;Password=...;Database=jobsbot'.");
            }

            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail($"Storage__ConnectionString is not a valid PostgreSQL connection string: {e.Message}");
            }
        }
        else if (string.IsNullOrWhiteSpace(options.SqlitePath))
        {
            return ValidateOptionsResult.Fail("Storage:SqlitePath is empty. Set Storage__SqlitePath to the job store file, for example '.sandbox/jobs.db'.");
        }

        return ValidateOptionsResult.Success;
    }
}
