using Microsoft.Data.Sqlite;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.Sqlite;
using Specific.Jobs.Readiness;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;

namespace Specific.Jobs.Tests.Storage;

/// <summary>What a SQLite store does when its file is deleted under it, and what its write probe tells readiness.</summary>
public sealed class SqliteStoreFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sqlite-store-file-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string JobsPath => Path.Combine(_directory, "jobs.db");

    [Fact]
    public async Task A_deleted_job_store_file_fails_the_next_write_instead_of_coming_back_empty_at_its_path()
    {
        var store = new SqliteJobStore(JobsPath, TimeProvider.System);
        await store.CreateAsync(Request(), Ct);
        // The pool let go (as an idle one is pruned), so the next write opens the path afresh.
        store.Dispose();
        DeleteDatabase(JobsPath);

        var refused = await Assert.ThrowsAsync<SqliteException>(() => store.CreateAsync(Request(), Ct));

        Assert.Contains("unable to open database file", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(JobsPath));
    }

    [Fact]
    public async Task The_probe_finds_a_healthy_file_and_names_a_deleted_one_with_its_setting()
    {
        using var store = new SqliteJobStore(JobsPath, TimeProvider.System);
        await store.InitializeAsync(Ct);
        var probe = Assert.Single(SqliteWriteProbe.For(store, new InMemoryLogStore(), TimeProvider.System));
        Assert.Null(await probe.ProblemAsync(Ct));

        DeleteDatabase(JobsPath);

        var problem = await probe.ProblemAsync(Ct);
        Assert.StartsWith($"The SQLite job store file {JobsPath} was deleted or replaced while the bot ran", problem, StringComparison.Ordinal);
        Assert.Contains("Storage__SqlitePath", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_SQLite_stores_are_probed()
    {
        using var logs = new SqliteLogStore(Path.Combine(_directory, "logs.db"));

        var probe = Assert.Single(SqliteWriteProbe.For(new InMemoryJobStore(), logs, TimeProvider.System));

        Assert.Equal("log store", probe.File.Store);
        await logs.InitializeAsync(Ct);
        Assert.Null(await probe.ProblemAsync(Ct));
    }

    private static JobRequest Request() => new("web", "production", "echo hi", null, new JobOrigin("api"));

    private static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
