using Specific.Jobs.Domain;
using Specific.Jobs.Logs;

namespace Specific.Jobs.Tests.Logs;

/// <summary>What every log store must do, whatever is behind it. A subclass opens a store over a fresh database per test.</summary>
public abstract class LogStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<ILogStore> OpenAsync();

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public abstract ValueTask DisposeAsync();

    [Fact]
    public async Task Appending_a_batch_again_stores_each_line_once_and_keeps_the_first_text()
    {
        var store = await OpenAsync();
        await store.AppendAsync("j-logs0001", Lines(1, 5, "first"), Ct);

        await store.AppendAsync("j-logs0001", Lines(3, 8, "second"), Ct);
        await store.AppendAsync("j-logs0001", Lines(3, 8, "second"), Ct);

        var stored = await store.ReadAfterAsync("j-logs0001", 0, 100, Ct);
        Assert.Equal(Enumerable.Range(1, 8).Select(n => (long)n), stored.Select(l => l.Number));
        Assert.Equal(["first 1", "first 2", "first 3", "first 4", "first 5", "second 6", "second 7", "second 8"], stored.Select(l => l.Text));
        Assert.Equal(8, await store.LastNumberAsync("j-logs0001", Ct));
    }

    [Fact]
    public async Task A_batch_with_a_line_numbered_below_one_is_refused_whole()
    {
        var store = await OpenAsync();
        var batch = Lines(0, 4, "bad");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.AppendAsync("j-logs0010", batch, Ct));

        Assert.Empty(await store.ReadAfterAsync("j-logs0010", 0, 100, Ct));
        Assert.Equal(0, await store.LastNumberAsync("j-logs0010", Ct));
    }

    [Fact]
    public async Task Lines_come_back_in_number_order_whatever_order_they_were_appended_in()
    {
        var store = await OpenAsync();

        await store.AppendAsync("j-logs0002", Lines(6, 9, "late"), Ct);
        await store.AppendAsync("j-logs0002", [.. Lines(1, 5, "early").Reverse()], Ct);

        Assert.Equal(Enumerable.Range(1, 9).Select(n => (long)n), (await store.ReadAfterAsync("j-logs0002", 0, 100, Ct)).Select(l => l.Number));
    }

    [Fact]
    public async Task Tail_is_the_last_lines_in_order()
    {
        var store = await OpenAsync();
        await store.AppendAsync("j-logs0003", Lines(1, 50, "line"), Ct);

        Assert.Equal([48L, 49L, 50L], (await store.TailAsync("j-logs0003", 3, Ct)).Select(l => l.Number));
        Assert.Equal(50, (await store.TailAsync("j-logs0003", 500, Ct)).Count);
        Assert.Empty(await store.TailAsync("j-logs0003", 0, Ct));
        Assert.Empty(await store.TailAsync("j-unknown1", 10, Ct));
    }

    [Fact]
    public async Task Lines_after_an_offset_are_bounded_by_the_limit()
    {
        var store = await OpenAsync();
        await store.AppendAsync("j-logs0004", Lines(1, 50, "line"), Ct);

        Assert.Equal([11L, 12L, 13L], (await store.ReadAfterAsync("j-logs0004", 10, 3, Ct)).Select(l => l.Number));
        Assert.Equal([49L, 50L], (await store.ReadAfterAsync("j-logs0004", 48, 10, Ct)).Select(l => l.Number));
        Assert.Empty(await store.ReadAfterAsync("j-logs0004", 50, 10, Ct));
    }

    [Fact]
    public async Task Jobs_do_not_see_each_others_lines()
    {
        var store = await OpenAsync();
        await store.AppendAsync("j-logs0005", Lines(1, 3, "five"), Ct);
        await store.AppendAsync("j-logs0006", Lines(1, 2, "six"), Ct);

        Assert.Equal(["six 1", "six 2"], (await store.ReadAfterAsync("j-logs0006", 0, 10, Ct)).Select(l => l.Text));
        Assert.Equal(3, await store.LastNumberAsync("j-logs0005", Ct));
        Assert.Equal(0, await store.LastNumberAsync("j-unknown1", Ct));
    }

    [Fact]
    public async Task Text_stream_and_timestamp_survive_as_written()
    {
        var store = await OpenAsync();
        LogLine[] lines =
        [
            new(1, Start.AddTicks(1234560), LogStream.Output, ""),
            new(2, Start.AddSeconds(1), LogStream.Stdout, "héllo wörld — 日本語 🚀"),
            new(3, Start.AddSeconds(2), LogStream.Stderr, "  \ttabs and trailing spaces  "),
            new(4, Start.AddSeconds(3), LogStream.Output, "'quotes' \"double\" \\backslash; DROP TABLE log_lines; --"),
            new(5, Start.AddSeconds(4), LogStream.Output, new string('x', 100_000)),
        ];

        await store.AppendAsync("j-logs0007", lines, Ct);

        Assert.Equal(lines, await store.ReadAfterAsync("j-logs0007", 0, 10, Ct));
    }

    [Fact]
    public async Task Reading_everything_streams_200k_lines_in_order()
    {
        const int Total = 200_000;
        var store = await OpenAsync();
        for (var first = 1; first <= Total; first += 10_000)
        {
            await store.AppendAsync("j-logs0008", Lines(first, first + 9_999, "line"), Ct);
        }

        var expected = 1L;
        await foreach (var line in store.ReadAllAsync("j-logs0008", Ct))
        {
            Assert.Equal(expected, line.Number);
            if (expected == 1)
            {
                // Read page by page: a line appended while the reader is under way is still reached.
                await store.AppendAsync("j-logs0008", Lines(Total + 1, Total + 1, "appended"), Ct);
            }

            expected++;
        }

        Assert.Equal(Total + 2, expected);
    }

    [Fact]
    public async Task Empty_batch_and_unknown_job_are_harmless()
    {
        var store = await OpenAsync();

        await store.AppendAsync("j-logs0009", [], Ct);

        Assert.Empty(await store.ReadAfterAsync("j-logs0009", 0, 10, Ct));
        var all = new List<LogLine>();
        await foreach (var line in store.ReadAllAsync("j-logs0009", Ct))
        {
            all.Add(line);
        }

        Assert.Empty(all);
    }

    [Fact]
    public async Task Search_finds_the_first_lines_containing_the_text_ignoring_case_and_counts_them_all()
    {
        var store = await OpenAsync();
        await store.AppendAsync("j-grep0001", Texts("Error: one", "all fine", "an ERROR two", "error three", "fine again"), Ct);

        var found = await store.SearchAsync("j-grep0001", "error", limit: 2, Ct);

        Assert.Equal([(1L, "Error: one"), (3L, "an ERROR two")], found.Lines.Select(l => (l.Number, l.Text)));
        Assert.Equal(3, found.MatchCount);
        Assert.Equal(1, found.MoreMatches);
        Assert.False(found.MatchCountIsCapped);
    }

    [Fact]
    public async Task Search_text_is_a_plain_substring_never_a_pattern()
    {
        var store = await OpenAsync();
        await store.AppendAsync("j-grep0002", Texts("100% done", "x_y", "axb", "a.b", "it's'; DROP TABLE logs; --", "{job:String}"), Ct);

        Assert.Equal([1L], await NumbersOf(store, "j-grep0002", "%"));
        Assert.Equal([2L], await NumbersOf(store, "j-grep0002", "_"));
        Assert.Equal([4L], await NumbersOf(store, "j-grep0002", "a.b"));
        Assert.Equal([5L], await NumbersOf(store, "j-grep0002", "'; DROP TABLE"));
        Assert.Equal([6L], await NumbersOf(store, "j-grep0002", "{job:String}"));
        Assert.Equal(6, await store.LastNumberAsync("j-grep0002", Ct));
    }

    [Fact]
    public async Task Search_of_another_job_or_of_missing_text_finds_nothing()
    {
        var store = await OpenAsync();
        await store.AppendAsync("j-grep0003", Texts("needle"), Ct);

        var otherJob = await store.SearchAsync("j-grep0004", "needle", 10, Ct);
        var missing = await store.SearchAsync("j-grep0003", "haystack", 10, Ct);
        var countOnly = await store.SearchAsync("j-grep0003", "needle", 0, Ct);

        Assert.Equal((0, 0L), (otherJob.Lines.Count, otherJob.MatchCount));
        Assert.Equal((0, 0L), (missing.Lines.Count, missing.MatchCount));
        Assert.Equal((0, 1L), (countOnly.Lines.Count, countOnly.MatchCount));
    }

    [Fact]
    public async Task Search_stops_counting_past_the_count_limit()
    {
        var store = await OpenAsync();
        var total = LogSearchResult.CountLimit + 10;
        for (var first = 1; first <= total; first += 20_000)
        {
            await store.AppendAsync("j-grep0005", Lines(first, Math.Min(total, first + 19_999), "match"), Ct);
        }

        var found = await store.SearchAsync("j-grep0005", "MATCH", 3, Ct);

        Assert.Equal([1L, 2L, 3L], found.Lines.Select(l => l.Number));
        Assert.True(found.MatchCountIsCapped);
        Assert.Equal(LogSearchResult.CountLimit + 1, found.MatchCount);
    }

    private static async Task<IEnumerable<long>> NumbersOf(ILogStore store, string jobId, string text) =>
        (await store.SearchAsync(jobId, text, 10, Ct)).Lines.Select(l => l.Number);

    protected static LogLine[] Texts(params string[] texts) =>
        texts.Select((text, i) => new LogLine(i + 1, Start.AddMilliseconds(i), LogStream.Output, text)).ToArray();

    protected static LogLine[] Lines(int first, int last, string text) =>
        Enumerable.Range(first, last - first + 1)
            .Select(n => new LogLine(n, Start.AddMilliseconds(n), n % 2 == 0 ? LogStream.Stdout : LogStream.Stderr, $"{text} {n}"))
            .ToArray();
}
