using System.Globalization;
using System.Text;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;

namespace Specific.JobsBot.Interactions;

/// <summary>What went into a full-log file.</summary>
/// <param name="Lines">Lines written.</param>
/// <param name="CutLines">Lines left out because the file reached its cap (0 when the whole log is in it).</param>
/// <param name="Bytes">The file's length.</param>
public sealed record FullLogSummary(long Lines, long CutLines, long Bytes)
{
    public bool WasCut => CutLines > 0;
}

/// <summary>
/// Writes a job's whole log as a text file, streamed from the log store a page at a time, redacted a block at a time,
/// and capped: past the cap the file keeps the log's beginning and its last lines and says, in between, what was cut.
/// </summary>
public static class FullLogFile
{
    /// <summary>Lines of the previous block read again as context when the next is redacted (as the thread's excerpts do).</summary>
    public const int ContextLines = 64;

    /// <summary>Lines redacted as one block.</summary>
    public const int BlockLines = 1_000;

    /// <summary>Of a cut log, at most this many of its last lines are kept after the note.</summary>
    public const int TailLinesKept = 1_000;

    /// <summary>A single line longer than this is shortened, so one runaway line cannot fill the file.</summary>
    public const int MaxLineCharacters = 64 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task<FullLogSummary> WriteAsync(
        Stream destination, JobRecord job, ILogStore logs, ITextRedactor redactor, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(redactor);
        // A fifth of the cap (at most 1 MiB) is kept for the log's end, which is where a failure usually shows.
        var tailBudget = Math.Min(maxBytes / 5, 1024 * 1024);
        var noteBudget = 1024;
        var headBudget = maxBytes - tailBudget - noteBudget;
        ArgumentOutOfRangeException.ThrowIfLessThan(headBudget, 1, nameof(maxBytes));

        var writer = new Writer(destination);
        if (redactor.Warning is { } warning)
        {
            // Said first, so whoever opens the file knows what may show in it.
            await writer.WriteRawAsync($"[{warning}]\n", cancellationToken);
        }

        var block = new List<LogLine>(BlockLines);
        IReadOnlyList<LogLine> context = [];
        var lastWritten = 0L;
        var full = false;
        await foreach (var line in logs.ReadAllAsync(job.Id, cancellationToken))
        {
            block.Add(line);
            if (block.Count < BlockLines)
            {
                continue;
            }

            (lastWritten, full) = await writer.WriteWithinAsync(Redact(context, block, redactor), headBudget, lastWritten, cancellationToken);
            context = block.TakeLast(ContextLines).ToList();
            block.Clear();
            if (full)
            {
                break;
            }
        }

        if (!full && block.Count > 0)
        {
            (lastWritten, full) = await writer.WriteWithinAsync(Redact(context, block, redactor), headBudget, lastWritten, cancellationToken);
        }

        if (!full)
        {
            return new FullLogSummary(writer.Lines, 0, writer.Bytes);
        }

        // Cut: say what is missing, then the log's last lines that fit what is left.
        var last = await logs.LastNumberAsync(job.Id, cancellationToken);
        var tail = (await logs.TailAsync(job.Id, TailLinesKept, cancellationToken)).Where(line => line.Number > lastWritten).ToList();
        var redactedTail = Redact([], tail, redactor);
        var kept = new List<(LogLine Line, string Text)>();
        var tailBytes = 0L;
        for (var i = redactedTail.Count - 1; i >= 0; i--)
        {
            var text = Format(redactedTail[i]);
            var size = Utf8.GetByteCount(text);
            if (tailBytes + size > tailBudget)
            {
                break;
            }

            kept.Add((redactedTail[i], text));
            tailBytes += size;
        }

        kept.Reverse();
        var firstKept = kept.Count > 0 ? kept[0].Line.Number : last + 1;
        var cut = Math.Max(0, firstKept - lastWritten - 1);
        await writer.WriteRawAsync(CutNote(job, lastWritten + 1, firstKept - 1, cut, maxBytes), cancellationToken);
        foreach (var (_, text) in kept)
        {
            await writer.WriteRawAsync(text, cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
        return new FullLogSummary(writer.Lines - 1, cut, writer.Bytes);
    }

    /// <summary>The note that stands where lines were cut.</summary>
    public static string CutNote(JobRecord job, long firstCut, long lastCut, long cutLines, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(job);
        var size = maxBytes >= 1024 * 1024
            ? (maxBytes / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB"
            : (maxBytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB";
        return string.Create(CultureInfo.InvariantCulture,
            $"----- {cutLines:N0} lines cut here (lines {firstCut:N0}–{lastCut:N0}): this file stops at {size}. "
            + $"`/specific job logs {job.Id} --grep <text>` searches the whole log. -----\n");
    }

    /// <summary>
    /// A block redacted as one, with the previous block's last lines read as context, so a secret (a key block) that
    /// began before the cut is still found; every line keeps its number.
    /// </summary>
    private static IReadOnlyList<LogLine> Redact(IReadOnlyList<LogLine> context, IReadOnlyList<LogLine> block, ITextRedactor redactor) =>
        redactor.RedactLines([.. context, .. block], context.Count);

    private static string Format(LogLine line)
    {
        var text = line.Text.Length > MaxLineCharacters
            ? string.Create(CultureInfo.InvariantCulture, $"{line.Text[..MaxLineCharacters]}… [line cut at {MaxLineCharacters:N0} characters of {line.Text.Length:N0}]")
            : line.Text;
        return line.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + " " + text + "\n";
    }

    /// <summary>Counts what it writes, in bytes and lines.</summary>
    private sealed class Writer(Stream destination)
    {
        public long Bytes { get; private set; }

        public long Lines { get; private set; }

        /// <summary>Writes the lines while they fit <paramref name="budget"/>; returns the last number written and whether the budget ran out.</summary>
        public async Task<(long LastWritten, bool Full)> WriteWithinAsync(
            IReadOnlyList<LogLine> lines, long budget, long lastWritten, CancellationToken cancellationToken)
        {
            foreach (var line in lines)
            {
                var bytes = Utf8.GetBytes(Format(line));
                if (Bytes + bytes.Length > budget)
                {
                    return (lastWritten, true);
                }

                await destination.WriteAsync(bytes, cancellationToken);
                Bytes += bytes.Length;
                Lines++;
                lastWritten = line.Number;
            }

            return (lastWritten, false);
        }

        public async Task WriteRawAsync(string text, CancellationToken cancellationToken)
        {
            var bytes = Utf8.GetBytes(text);
            await destination.WriteAsync(bytes, cancellationToken);
            Bytes += bytes.Length;
            Lines++;
        }

        public Task FlushAsync(CancellationToken cancellationToken) => destination.FlushAsync(cancellationToken);
    }
}
