using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.Sqlite;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>AddJobStorage as a host uses it: configuration in, migrated stores out, bad configuration refused at start.</summary>
public sealed class StorageRegistrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "specific-jobs-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sqlite_store_serves_all_three_contracts_as_one_instance_and_is_migrated_at_start()
    {
        using var host = Build(new()
        {
            ["Storage:Provider"] = "sqlite",
            ["Storage:SqlitePath"] = Path.Combine(_directory, "state", "jobs.db"),
        });

        await host.StartAsync(Ct);

        Assert.True(File.Exists(Path.Combine(_directory, "state", "jobs.db")));
        Assert.True(File.Exists(Path.Combine(_directory, "state", "logs.db")));
        // The job store is the backend seen through the final-state counter; the other two contracts are the backend itself.
        var jobs = Assert.IsType<Specific.Jobs.Observability.MeteredJobStore>(host.Services.GetRequiredService<IJobStore>()).Inner;
        Assert.IsType<SqliteJobStore>(jobs);
        Assert.Same(jobs, host.Services.GetRequiredService<IThreadStore>());
        Assert.Same(jobs, host.Services.GetRequiredService<IRequestLedger>());
        Assert.Equal(Path.Combine(_directory, "state", "logs.db"), Assert.IsType<SqliteLogStore>(host.Services.GetRequiredService<ILogStore>()).Path);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Registered_clock_stamps_the_jobs()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var host = Build(new() { ["Storage:SqlitePath"] = Path.Combine(_directory, "jobs.db") }, clock);
        await host.StartAsync(Ct);

        var job = await host.Services.GetRequiredService<IJobStore>().CreateAsync(
            new JobRequest("web", "production", "echo hi", null, new JobOrigin("api")), Ct);

        Assert.Equal(clock.GetUtcNow(), job.CreatedAt);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Postgres_without_a_connection_string_fails_the_start_naming_the_variable_to_set()
    {
        using var host = Build(new() { ["Storage:Provider"] = "postgres" });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Storage__ConnectionString", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_provider_fails_the_start_naming_the_variable_to_set()
    {
        using var host = Build(new() { ["Storage:Provider"] = "mongodb" });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Storage__Provider", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_store_serves_all_three_contracts_and_is_migrated_at_start()
    {
        await using var database = PostgresTestDatabase.CreateOrSkip();
        using var host = Build(new()
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = database.ConnectionString,
            ["Storage:SqlitePath"] = Path.Combine(_directory, "jobs.db"),
        });

        await host.StartAsync(Ct);

        Assert.Equal(1L, await database.ScalarAsync($"SELECT count(*) FROM \"{database.Schema}\".schema_migrations WHERE version = 1"));
        // The job store is the backend seen through the final-state counter; the other two contracts are the backend itself.
        var jobs = Assert.IsType<Specific.Jobs.Observability.MeteredJobStore>(host.Services.GetRequiredService<IJobStore>()).Inner;
        Assert.IsType<PostgresJobStore>(jobs);
        Assert.Same(jobs, host.Services.GetRequiredService<IThreadStore>());
        Assert.Same(jobs, host.Services.GetRequiredService<IRequestLedger>());
        await host.StopAsync(Ct);
    }

    private static IHost Build(Dictionary<string, string?> settings, TimeProvider? clock = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }

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
