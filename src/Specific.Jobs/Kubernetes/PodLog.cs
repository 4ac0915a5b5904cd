using System.Globalization;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Kubernetes;

/// <summary>A line of a pod log read with <c>timestamps=true</c>: the kubelet's RFC3339Nano prefix, then the text.</summary>
public readonly record struct TimestampedLine(DateTimeOffset? Timestamp, string Text)
{
    /// <summary>Splits "2026-11-27T09:31:48.123456789Z text". A line with no readable timestamp keeps all its text.</summary>
    public static TimestampedLine Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var stamp = space < 0 ? line : line[..space];
        if (TryParseTimestamp(stamp, out var timestamp))
            return new TimestampedLine(timestamp, space < 0 ? "" : line[(space + 1)..]);
        return new TimestampedLine(null, line);
    }

    /// <summary>Parses RFC3339 with up to nine fractional digits (.NET keeps seven: 100 ns).</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (text.Length < 20 || text[4] != '-' || text[10] != 'T')
            return false;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
                end++;
            if (end - dot - 1 > 7)
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
        }
        return DateTimeOffset.TryParse(
            text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp);
    }
}

/// <summary>
/// Where a followed pod log stands: the last line handed out, its timestamp and how many lines share that timestamp.
/// Every read after a reconnect starts a pass; lines at or before the last one seen are skipped, so a resumed stream
/// yields no duplicate, and numbering goes on without a gap.
/// </summary>
public sealed class LogCursor
{
    private int _skippedAtLastThisPass;
    private bool _acceptedThisPass;

    /// <summary>Starts where a checkpoint left off.</summary>
    public LogCursor(FollowCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        LastNumber = checkpoint.LastLogLine;
        LastTimestamp = checkpoint.LastLogTimestamp is { } stored ? ToStoredPrecision(stored) : null;
        LinesAtLastTimestamp = checkpoint.LastLogTimestamp is null ? 0 : checkpoint.LinesAtLastTimestamp;
    }

    public long LastNumber { get; private set; }
    public DateTimeOffset? LastTimestamp { get; private set; }
    public int LinesAtLastTimestamp { get; private set; }

    /// <summary>A new read of the log begins (it may repeat lines already handed out).</summary>
    public void BeginPass()
    {
        _skippedAtLastThisPass = 0;
        _acceptedThisPass = false;
    }

    /// <summary>The line as a numbered <see cref="LogLine"/> when it is new, or null when it was seen before.</summary>
    public LogLine? Accept(TimestampedLine line, DateTimeOffset receivedAt)
    {
        // A line without a timestamp cannot be placed; it belongs with the line before it.
        // Compared and kept at the log stores' precision: a checkpoint read back from a store must match the re-read line.
        var timestamp = ToStoredPrecision(line.Timestamp ?? LastTimestamp ?? receivedAt);
        if (!_acceptedThisPass && LastTimestamp is { } last)
        {
            if (timestamp < last)
                return null;
            if (timestamp == last && _skippedAtLastThisPass < LinesAtLastTimestamp)
            {
                _skippedAtLastThisPass++;
                return null;
            }
        }

        _acceptedThisPass = true;
        LinesAtLastTimestamp = timestamp == LastTimestamp ? LinesAtLastTimestamp + 1 : 1;
        LastTimestamp = timestamp;
        LastNumber++;
        return new LogLine(LastNumber, timestamp, LogStream.Output, line.Text);
    }

    /// <summary>Whole microseconds, what SQLite and PostgreSQL keep of a line's timestamp (the kubelet sends nanoseconds).</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset timestamp) =>
        timestamp.AddTicks(-(timestamp.UtcTicks % TimeSpan.TicksPerMicrosecond));

    /// <summary>The seconds to ask for when reopening the log: back to the last line, plus an overlap that is skipped.</summary>
    public int? SinceSeconds(DateTimeOffset now, TimeSpan overlap)
    {
        if (LastTimestamp is not { } last)
            return null;
        var behind = now - last;
        if (behind < TimeSpan.Zero)
            behind = TimeSpan.Zero;
        return (int)Math.Ceiling((behind + overlap).TotalSeconds) + 1;
    }
}
