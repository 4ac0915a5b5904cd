namespace Specific.Jobs.Domain;

/// <summary>One line of a job's output. Numbers start at 1 and have no gaps.</summary>
public sealed record LogLine(long Number, DateTimeOffset Timestamp, LogStream Stream, string Text);

/// <summary>Which stream a line came from. Kubernetes merges stdout and stderr into one log: <see cref="Output"/>.</summary>
public enum LogStream
{
    Output,
    Stdout,
    Stderr,
}
