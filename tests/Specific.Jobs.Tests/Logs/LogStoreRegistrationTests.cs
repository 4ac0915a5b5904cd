using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.ClickHouse;
using Specific.Jobs.Logs.Postgres;
using Specific.Jobs.Storage;
using Specific.Jobs.Tests.Storage;

namespace Specific.Jobs.Tests.Logs;

/// <summary>The "Logs" section as a host reads it: the store it picks, and configuration refused at start with the variable to set.</summary>
public sealed class LogStoreRegistrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "specific-jobs-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Clickhouse_provider_gives_the_clickhouse_store()
    {
        using var host = Build(new()
        {
            ["Logs:Provider"] = "clickhouse",
            ["Logs:ClickHouse:ConnectionString"] = "Host=127.0.0.1;Port=8123;Username=default;Database=jobs",
        });

        Assert.IsType<ClickHouseLogStore>(host.Services.GetRequiredService<ILogStore>());
    }

    [Fact]
    public void Otel_logs_source_gives_the_otel_logs_reader()
    {
        using var host = Build(new()
        {
            ["Logs:Source"] = "otel_logs",
            ["Logs:ClickHouse:ConnectionString"] = "Host=127.0.0.1;Port=8123;Database=otel",
        });

        Assert.IsType<OtelLogsSource>(host.Services.GetRequiredService<ILogStore>());
    }

    [Fact]
    public async Task Postgres_job_store_keeps_logs_in_postgres_unless_told_otherwise()
    {
        await using var database = PostgresTestDatabase.CreateOrSkip();
        using var host = Build(new() { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = database.ConnectionString });

        await host.StartAsync(Ct);

        Assert.IsType<PostgresLogStore>(host.Services.GetRequiredService<ILogStore>());
        Assert.Equal(0L, await database.ScalarAsync($"SELECT count(*) FROM \"{database.Schema}\".log_lines"));
        await host.StopAsync(Ct);
    }

    [Theory]
    [InlineData("Logs:Provider", "cassandra", "Logs__Provider")]
    [InlineData("Logs:Source", "loki", "Logs__Source")]
    [InlineData("Logs:RetentionDays", "0", "Logs__RetentionDays")]
    [InlineData("Logs:Provider", "clickhouse", "Logs__ClickHouse__ConnectionString")]
    [InlineData("Logs:Source", "otel_logs", "Logs__ClickHouse__ConnectionString")]
    [InlineData("Logs:Provider", "postgres", "Storage__Provider=postgres")]
    public async Task Bad_log_configuration_fails_the_start_naming_the_variable_to_set(string key, string value, string named)
    {
        using var host = Build(new() { [key] = value });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    private IHost Build(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Storage:SqlitePath", Path.Combine(_directory, "jobs.db"));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddJobStorage(builder.Configuration);
        return builder.Build();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
