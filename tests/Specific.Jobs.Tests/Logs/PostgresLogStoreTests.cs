using Specific.Jobs.Logs;
using Specific.Jobs.Tests.Storage;

namespace Specific.Jobs.Tests.Logs;

/// <summary>The log store contract on the real PostgreSQL of JOBSBOT_TEST_POSTGRES, in a schema of its own per test.</summary>
public sealed class PostgresLogStoreTests : LogStoreContract
{
    private PostgresTestDatabase? _database;

    private PostgresTestDatabase Database => _database ??= PostgresTestDatabase.CreateOrSkip();

    protected override async Task<ILogStore> OpenAsync()
    {
        var store = new PostgresLogStore(Database.NewDataSource());
        await store.InitializeAsync(Ct);
        return store;
    }

    [Fact]
    public async Task A_nul_in_a_line_becomes_a_replacement_character_instead_of_failing_the_batch()
    {
        var store = await OpenAsync();

        await store.AppendAsync("j-nul00001", [new LogLine(1, Start, LogStream.Output, "a\0b"), new LogLine(2, Start, LogStream.Output, "c")], Ct);

        Assert.Equal(["a\uFFFDb", "c"], (await store.ReadAfterAsync("j-nul00001", 0, 10, Ct)).Select(l => l.Text));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
