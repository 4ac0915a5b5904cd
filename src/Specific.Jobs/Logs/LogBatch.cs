using Specific.Jobs.Domain;

namespace Specific.Jobs.Logs;

/// <summary>The checks every log store makes on a batch before it stores it.</summary>
public static class LogBatch
{
    /// <summary>
    /// False for an empty batch (nothing to store); throws when a line is numbered below 1, since numbers start at 1.
    /// </summary>
    public static bool HasLinesToStore(IReadOnlyList<LogLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var line in lines)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(line.Number, 1, nameof(lines));
        }
        return lines.Count > 0;
    }
}
