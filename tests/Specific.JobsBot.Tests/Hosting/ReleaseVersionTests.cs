using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Storage;
using Specific.JobsBot.Hosting;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>The release a pod runs, in /healthz, /readyz and the start-up line; and a job store a newer release migrated.</summary>
public sealed class ReleaseVersionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("release-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Healthz_and_readyz_name_the_release_from_the_assembly_version()
    {
        await using var bot = await OpsApp.StartAsync();

        using var live = await bot.Client.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);
        var body = JsonDocument.Parse(await live.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(200, (int)live.StatusCode);
        Assert.Equal(BotVersion.Current, body.GetProperty("version").GetString());
        Assert.StartsWith("0.9.0", BotVersion.Current, StringComparison.Ordinal);
        Assert.Equal(BotVersion.Current, (await bot.ReadyAsync()).Body.GetProperty("version").GetString());
    }

    [Fact]
    public async Task The_start_up_line_names_the_release_the_role_and_the_job_store_schema()
    {
        await using var bot = await OpsApp.StartAsync();

        var line = Assert.Single(bot.Logs.Entries, entry => entry.Message.StartsWith("Specific Jobs bot ", StringComparison.Ordinal));

        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal($"Specific Jobs bot {BotVersion.Current} starting as Bot; job store schema {SqliteMigrations.All.Count}", line.Message);
    }

    [Fact]
    public async Task A_job_store_a_newer_release_migrated_keeps_the_bot_ready_and_is_named_in_readyz_and_the_log()
    {
        var path = Path.Combine(_directory, "jobs.db");
        using (var previous = new SqliteJobStore(path, TimeProvider.System))
        {
            await previous.InitializeAsync(Ct);
        }

        await using (var newer = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await newer.OpenAsync(Ct);
            await using var command = newer.CreateCommand();
            command.CommandText = "ALTER TABLE jobs ADD COLUMN from_a_newer_release TEXT; INSERT INTO schema_migrations (version, name) VALUES (99, 'a newer release');";
            await command.ExecuteNonQueryAsync(Ct);
        }

        await using var bot = await OpsApp.StartAsync(new Dictionary<string, string?> { ["Storage:SqlitePath"] = path });
        var (status, body) = await bot.ReadyAsync();

        Assert.Equal(200, status);
        var store = body.GetProperty("checks").EnumerateArray().Single(check => check.GetProperty("name").GetString() == "store");
        Assert.Equal("Healthy", store.GetProperty("status").GetString());
        Assert.Contains($"at version 99, newer than {SqliteMigrations.All.Count}", store.GetProperty("description").GetString(), StringComparison.Ordinal);
        var warning = Assert.Single(bot.Logs.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("newer than", StringComparison.Ordinal));
        Assert.Contains("99", warning.Message, StringComparison.Ordinal);
        Assert.Contains(bot.Logs.Entries, entry => entry.Message.EndsWith($"job store schema 99 (newer than {SqliteMigrations.All.Count}, the latest this release knows)", StringComparison.Ordinal));
        // Migrations only add, so this release records and reads jobs on the newer schema.
        var jobs = bot.Services.GetRequiredService<IJobStore>();
        var job = await jobs.CreateAsync(new Specific.Jobs.Domain.JobRequest("web", "production", "echo hi", null, new Specific.Jobs.Domain.JobOrigin("api")), Ct);
        Assert.Equal("echo hi", (await jobs.GetAsync(job.Id, Ct))?.Command);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
