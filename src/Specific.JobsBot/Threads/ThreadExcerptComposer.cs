using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;

namespace Specific.JobsBot.Threads;

/// <summary>Reads the log lines one thread reply shows, redacts them as one block (with the lines before as context) and fits them to the reply.</summary>
internal sealed class ThreadExcerptComposer
{
    /// <summary>
    /// Lines read before an excerpt only to redact it: a key block that began in an earlier excerpt (an RSA 4096 key
    /// is about 50 lines) is still recognised, so its later lines are hidden too.
    /// </summary>
    private const int RedactionContextLines = 64;

    private readonly string _jobId;
    private readonly ILogStore _logs;
    private readonly IJobRedaction _redaction;
    private readonly ThreadKeeperOptions _options;

    public ThreadExcerptComposer(ThreadWriterServices services, string jobId)
    {
        _jobId = jobId;
        _logs = services.Logs;
        _redaction = services.Redaction;
        _options = services.Options;
    }

    /// <summary>
    /// The lines after <paramref name="after"/> up to <paramref name="last"/>, redacted and fitted to one reply; null when
    /// there are no such lines, empty when none of them can be shown (the store counts lines it cannot return yet).
    /// </summary>
    public async Task<LogExcerpt?> ExcerptAsync(JobRecord job, long after, long last, CancellationToken cancellationToken)
    {
        if (last <= after)
        {
            return null;
        }
        // Newest lines win: when more are waiting than one excerpt reads, the oldest are never read.
        var from = Math.Max(after, last - _options.MaxLinesPerExcerpt);
        var readFrom = Math.Max(0, from - RedactionContextLines);
        var read = await _logs.ReadAfterAsync(_jobId, readFrom, (int)(last - readFrom), cancellationToken);
        // Redacted as one block before Fit cuts lines and drops the oldest: a secret is never split before it is found.
        var redactor = await _redaction.ForJobAsync(job, cancellationToken);
        var lines = redactor.RedactLines(read, read.Count(line => line.Number <= from));
        return LogExcerpt.Fit(lines, from - after, ThreadReplyRenderer.ExcerptCharacters);
    }

    /// <summary>The final reply's tail: the last lines, redacted (with context) and fitted to one reply.</summary>
    public async Task<FinalTail> TailAsync(JobRecord job, CancellationToken cancellationToken)
    {
        var read = await _logs.TailAsync(_jobId, _options.FinalTailLines + RedactionContextLines, cancellationToken);
        var redactor = await _redaction.ForJobAsync(job, cancellationToken);
        var lines = redactor.RedactLines(read, Math.Max(0, read.Count - _options.FinalTailLines));
        return new FinalTail(LogExcerpt.Fit(lines, 0, ThreadReplyRenderer.ExcerptCharacters), lines, redactor);
    }
}

/// <summary>The final reply's tail, the redacted lines it was fitted from, and the redactor that redacted them.</summary>
internal sealed record FinalTail(LogExcerpt Excerpt, IReadOnlyList<LogLine> Lines, ITextRedactor Redactor);
