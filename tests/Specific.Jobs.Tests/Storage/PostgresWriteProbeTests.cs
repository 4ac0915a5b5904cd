using Npgsql;
using Specific.Jobs.Readiness;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>Readiness's write probe on the real PostgreSQL: a server that answers reads but refuses writes is named.</summary>
public sealed class PostgresWriteProbeTests : IAsyncDisposable
{
    private readonly PostgresTestDatabase _database = PostgresTestDatabase.CreateOrSkip();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_writable_store_takes_the_heartbeat_and_keeps_one_row_per_replica()
    {
        var store = await OpenAsync(_database.ConnectionString);
        var probe = new PostgresWriteProbe(store, TimeProvider.System);

        Assert.Null(await probe.ProblemAsync(Ct));
        Assert.Null(await probe.ProblemAsync(Ct));

        Assert.Equal(1L, await _database.ScalarAsync($"SELECT count(*) FROM \"{_database.Schema}\".store_heartbeat"));
    }

    [Fact]
    public async Task A_server_that_refuses_writes_is_named_with_what_to_do_while_reads_still_work()
    {
        await OpenAsync(_database.ConnectionString);
        // Every session read-only, as on a standby after a failover: the one-row read the store check makes still answers.
        var readOnly = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Options = "-c default_transaction_read_only=on" }.ToString();
        var store = new PostgresJobStore(NpgsqlDataSource.Create(readOnly), TimeProvider.System);

        var problem = await new PostgresWriteProbe(store, TimeProvider.System).ProblemAsync(Ct);

        Assert.NotNull(problem);
        Assert.Contains("PostgreSQL takes no writes", problem, StringComparison.Ordinal);
        Assert.Contains("Storage__ConnectionString", problem, StringComparison.Ordinal);
        await using var reads = NpgsqlDataSource.Create(readOnly);
        await using var count = reads.CreateCommand("SELECT count(*) FROM jobs");
        Assert.Equal(0L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_left_to_the_store_checks_own_query()
    {
        var store = new PostgresJobStore(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2"), TimeProvider.System);

        Assert.Null(await new PostgresWriteProbe(store, TimeProvider.System).ProblemAsync(Ct));
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private async Task<PostgresJobStore> OpenAsync(string connectionString)
    {
        var store = new PostgresJobStore(NpgsqlDataSource.Create(connectionString), TimeProvider.System);
        await store.InitializeAsync(Ct);
        return store;
    }
}
