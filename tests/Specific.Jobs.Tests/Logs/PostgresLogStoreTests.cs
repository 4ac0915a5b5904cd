using System.Collections;
using Npgsql;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.Postgres;
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

    [Fact]
    public async Task A_batch_overlapping_stored_lines_stores_the_new_ones_and_keeps_the_stored_texts()
    {
        var store = await OpenAsync();
        await store.AppendAsync("j-pgcopy01", Lines(4, 6, "old"), Ct);

        // The COPY of this batch hits line 4 and fails as a whole; the INSERT that skips stored lines takes it.
        await store.AppendAsync("j-pgcopy01", [.. Lines(1, 10, "new").Select(l => l.Number == 8 ? l with { Text = "new\08" } : l)], Ct);

        Assert.Equal(
            ["new 1", "new 2", "new 3", "old 4", "old 5", "old 6", "new 7", "new\uFFFD8", "new 9", "new 10"],
            (await store.ReadAfterAsync("j-pgcopy01", 0, 100, Ct)).Select(l => l.Text));
        Assert.Equal(10, await store.LastNumberAsync("j-pgcopy01", Ct));
    }

    [Fact]
    public async Task After_a_copy_failed_on_stored_lines_the_same_pooled_connection_takes_the_next_batch()
    {
        await using var dataSource = SingleConnectionDataSource();
        var store = new PostgresLogStore(dataSource);
        await store.AppendAsync("j-pgcopy02", Lines(1, 3, "first"), Ct);
        var backend = await BackendIdAsync(dataSource);

        await store.AppendAsync("j-pgcopy02", Lines(2, 4, "again"), Ct);
        await store.AppendAsync("j-pgcopy02", Lines(5, 6, "next"), Ct);

        Assert.Equal(["first 1", "first 2", "first 3", "again 4", "next 5", "next 6"], (await store.ReadAfterAsync("j-pgcopy02", 0, 10, Ct)).Select(l => l.Text));
        Assert.Equal(backend, await BackendIdAsync(dataSource));
    }

    [Fact]
    public async Task A_batch_with_an_invalid_line_number_midway_stores_none_of_its_lines()
    {
        await using var dataSource = SingleConnectionDataSource();
        var store = new PostgresLogStore(dataSource);
        await store.AppendAsync("j-pgcopy03", Lines(1, 2, "before"), Ct);
        var backend = await BackendIdAsync(dataSource);

        // Lines 3 to 5 are written into the COPY before line 0 is reached: the COPY is aborted, not completed.
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.AppendAsync(
            "j-pgcopy03", [.. Lines(3, 5, "bad batch"), new LogLine(0, Start, LogStream.Output, "zero")], Ct));

        Assert.Equal(2, await store.LastNumberAsync("j-pgcopy03", Ct));
        await store.AppendAsync("j-pgcopy03", Lines(3, 4, "after"), Ct);
        Assert.Equal(["before 1", "before 2", "after 3", "after 4"], (await store.ReadAfterAsync("j-pgcopy03", 0, 10, Ct)).Select(l => l.Text));
        Assert.Equal(backend, await BackendIdAsync(dataSource));
    }

    [Fact]
    public async Task A_batch_cancelled_midway_stores_none_of_its_lines_and_the_store_still_appends()
    {
        await using var dataSource = SingleConnectionDataSource();
        var store = new PostgresLogStore(dataSource);
        await store.InitializeAsync(Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // Enough lines that the first rows have left the client's buffer when line 30,000 is read and cancels.
        var batch = new CancellingLines(Lines(1, 40_000, "line"), cancelAt: 30_000, cancel);
        var backend = await BackendIdAsync(dataSource);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync("j-pgcopy04", batch, cancel.Token));

        Assert.True(batch.Cancelled);
        Assert.Equal(0, await store.LastNumberAsync("j-pgcopy04", Ct));
        await store.AppendAsync("j-pgcopy04", Lines(1, 3, "after"), Ct);
        Assert.Equal(["after 1", "after 2", "after 3"], (await store.ReadAfterAsync("j-pgcopy04", 0, 10, Ct)).Select(l => l.Text));
        Assert.Equal(backend, await BackendIdAsync(dataSource));
    }

    [Fact]
    public async Task An_append_cancelled_before_it_starts_stores_nothing_and_keeps_the_connection()
    {
        await using var dataSource = SingleConnectionDataSource();
        var store = new PostgresLogStore(dataSource);
        await store.InitializeAsync(Ct);
        var backend = await BackendIdAsync(dataSource);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync("j-pgcopy05", Lines(1, 3, "late"), new CancellationToken(canceled: true)));

        Assert.Equal(0, await store.LastNumberAsync("j-pgcopy05", Ct));
        Assert.Equal(backend, await BackendIdAsync(dataSource));
    }

    /// <summary>One pooled connection, so every append after the first runs on the connection the one before used.</summary>
    private NpgsqlDataSource SingleConnectionDataSource() =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { MaxPoolSize = 1 }.ToString());

    private static async Task<int> BackendIdAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_backend_pid()");
        return (int)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>
    /// A batch that cancels its append when the store reads one given line by index, as the COPY loop does, i.e.
    /// while the batch is being sent. Enumerating it (the batch check before the COPY) does not cancel.
    /// </summary>
    private sealed class CancellingLines(IReadOnlyList<LogLine> lines, int cancelAt, CancellationTokenSource cancel) : IReadOnlyList<LogLine>
    {
        public bool Cancelled => cancel.IsCancellationRequested;

        public int Count => lines.Count;

        public LogLine this[int index]
        {
            get
            {
                if (index == cancelAt)
                {
                    cancel.Cancel();
                }

                return lines[index];
            }
        }

        public IEnumerator<LogLine> GetEnumerator() => lines.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
