using Specific.Jobs.Domain;

namespace Specific.Jobs.Logs;

/// <summary>The names under which log stores keep a line's stream.</summary>
internal static class LogStreamNames
{
    public static string ToWire(LogStream stream) => stream switch
    {
        LogStream.Output => "output",
        LogStream.Stdout => "stdout",
        LogStream.Stderr => "stderr",
        _ => throw new ArgumentOutOfRangeException(nameof(stream), stream, null),
    };

    public static LogStream FromWire(string stream) => stream switch
    {
        "output" => LogStream.Output,
        "stdout" => LogStream.Stdout,
        "stderr" => LogStream.Stderr,
        _ => throw new FormatException($"'{stream}' is not a log stream."),
    };
}
