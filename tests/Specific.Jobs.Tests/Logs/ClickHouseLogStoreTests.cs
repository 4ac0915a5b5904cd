using Specific.Jobs.Logs;
using Specific.Jobs.Logs.ClickHouse;
using Specific.Jobs.Tests.Logs.ClickHouse;

namespace Specific.Jobs.Tests.Logs;

/// <summary>The log store contract on the real ClickHouse of CLICKHOUSE_URL, in a database of its own per test.</summary>
public sealed class ClickHouseLogStoreTests : LogStoreContract
{
    private ClickHouseTestServer? _server;

    protected override async Task<ILogStore> OpenAsync()
    {
        _server ??= await ClickHouseTestServer.CreateOrSkipAsync(Ct);
        var store = new ClickHouseLogStore(new ClickHouseDriverGateway(_server.NewClient()), jobs: null, retentionDays: 30);
        await store.InitializeAsync(Ct);
        return store;
    }

    [Fact]
    public async Task Start_up_on_an_existing_table_applies_a_changed_retention_to_its_ttl()
    {
        await OpenAsync();
        var client = _server!.NewClient();

        await new ClickHouseLogStore(new ClickHouseDriverGateway(client), jobs: null, retentionDays: 9).InitializeAsync(Ct);

        var engine = (string?)await client.ExecuteScalarAsync(
            "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'job_log_lines'", null, null, Ct);
        Assert.Contains("toIntervalDay(9)", engine, StringComparison.Ordinal);
    }

    public override ValueTask DisposeAsync()
    {
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }
}
