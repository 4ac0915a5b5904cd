using Specific.Jobs.Domain;

namespace Specific.Jobs.Logs;

/// <summary>
/// The log store: SQLite on the embedded default, ClickHouse in production. The job engine appends, the thread
/// keeper and the commands read.
/// </summary>
public interface ILogStore
{
    /// <summary>Appends a batch. Idempotent by (job, line number): a line already stored is not stored again.</summary>
    Task AppendAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> lines after line number <paramref name="afterNumber"/>, in order.</summary>
    Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken);

    /// <summary>The last <paramref name="count"/> lines, in order.</summary>
    Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken);

    /// <summary>The highest line number stored for the job, or 0.</summary>
    Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Every line in order, streamed: never the whole log in memory.</summary>
    IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// The first <paramref name="limit"/> lines whose text contains <paramref name="text"/> (ignoring case), in order,
    /// and how many lines match in all, counted up to <see cref="LogSearchResult.CountLimit"/>. The text is a plain
    /// substring, never a pattern or SQL.
    /// </summary>
    Task<LogSearchResult> SearchAsync(string jobId, string text, int limit, CancellationToken cancellationToken);
}

/// <summary>What a search of one job's log found: the first matching lines, and how many matched in all.</summary>
/// <param name="Lines">The first matching lines, in order, at most the limit asked for.</param>
/// <param name="MatchCount">
/// How many lines match, exact up to <see cref="CountLimit"/>; a store stops counting there, so a larger log reports
/// <see cref="CountLimit"/> + 1 ("more than <see cref="CountLimit"/>").
/// </param>
public sealed record LogSearchResult(IReadOnlyList<LogLine> Lines, long MatchCount)
{
    /// <summary>Stores count matches up to this many (plus one, to say "more"), so a search stays a bounded read.</summary>
    public const int CountLimit = 100_000;

    /// <summary>True when more lines matched than were counted.</summary>
    public bool MatchCountIsCapped => MatchCount > CountLimit;

    /// <summary>Matches beyond the ones returned (a lower bound when <see cref="MatchCountIsCapped"/>).</summary>
    public long MoreMatches => Math.Max(0, Math.Min(MatchCount, CountLimit) - Lines.Count);

    /// <summary>Checks the arguments every store takes the same way.</summary>
    public static void ThrowIfInvalid(string text, int limit)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
    }
}
