using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.Sqlite;

namespace Specific.Jobs.Tests.Logs;

/// <summary>The log store contract on a SQLite file of its own.</summary>
public sealed class SqliteLogStoreTests : LogStoreContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "specific-jobs-tests", Guid.NewGuid().ToString("N"));
    private readonly List<SqliteLogStore> _stores = [];

    protected override async Task<ILogStore> OpenAsync()
    {
        var store = new SqliteLogStore(Path.Combine(_directory, "logs.db"));
        _stores.Add(store);
        await store.InitializeAsync(Ct);
        return store;
    }

    [Fact]
    public async Task A_nul_in_a_line_survives()
    {
        var store = await OpenAsync();

        await store.AppendAsync("j-nul00001", [new LogLine(1, Start, LogStream.Output, "a\0b")], Ct);

        Assert.Equal("a\0b", (await store.TailAsync("j-nul00001", 1, Ct))[0].Text);
    }

    public override ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
