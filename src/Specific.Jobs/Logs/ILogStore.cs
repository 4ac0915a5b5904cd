namespace Specific.Jobs.Logs;

/// <summary>One line of a job's output. Numbers start at 1 and have no gaps.</summary>
public sealed record LogLine(long Number, DateTimeOffset Timestamp, LogStream Stream, string Text);

/// <summary>Which stream a line came from. Kubernetes merges stdout and stderr into one log: <see cref="Output"/>.</summary>
public enum LogStream
{
    Output,
    Stdout,
    Stderr,
}

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
}
