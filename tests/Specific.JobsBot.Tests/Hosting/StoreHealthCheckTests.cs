using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Readiness;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;
using Specific.JobsBot.Hosting.Health;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>The store check names a moved SQLite file even when the query meets it before the kept write-probe answer runs out.</summary>
public sealed class StoreHealthCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("store-health-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_file_moved_away_within_the_kept_answer_is_named_not_reported_as_a_store_that_does_not_answer()
    {
        var path = Path.Combine(_directory, "jobs.db");
        var store = new SqliteJobStore(path, TimeProvider.System);
        await store.InitializeAsync(Ct);
        // The clock stands still, so the first round's "healthy" is still kept when the query fails.
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var writes = new StoreWriteChecks(StoreWriteChecks.For(store, new InMemoryLogStore(), clock), clock);
        var check = new StoreHealthCheck(store, writes, new StoreSchemaStatus(Microsoft.Extensions.Logging.Abstractions.NullLogger<StoreSchemaStatus>.Instance));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), Ct)).Status);

        // The pool lets go (as an idle one is pruned), so the query opens the path afresh and finds nothing there.
        store.Dispose();
        var away = Directory.CreateDirectory(Path.Combine(_directory, "away")).FullName;
        foreach (var name in new[] { "jobs.db", "jobs.db-wal", "jobs.db-shm" }.Where(name => File.Exists(Path.Combine(_directory, name))))
        {
            File.Move(Path.Combine(_directory, name), Path.Combine(away, name));
        }

        var result = await check.CheckHealthAsync(new HealthCheckContext(), Ct);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith($"The SQLite job store file {path} was deleted or replaced while the bot ran", result.Description, StringComparison.Ordinal);
        Assert.Contains("Storage__SqlitePath", result.Description, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
