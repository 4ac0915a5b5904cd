using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;

namespace Specific.JobsBot.Commands;

/// <summary>Log lines with every secret replaced, redacted as one block so a value split across lines is still found.</summary>
public static class RedactedLines
{
    /// <summary>
    /// The lines, redacted together. When a replacement swallowed line breaks (a multi-line secret), the lines can
    /// no longer be told apart: the whole redacted block comes back as one line, numbered as the first.
    /// </summary>
    public static IReadOnlyList<LogLine> Of(IReadOnlyList<LogLine> lines, ITextRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(redactor);
        if (lines.Count == 0)
        {
            return lines;
        }

        var block = string.Join('\n', lines.Select(line => line.Text));
        var redacted = redactor.Redact(block);
        if (string.Equals(block, redacted, StringComparison.Ordinal))
        {
            return lines;
        }

        var pieces = redacted.Split('\n');
        return pieces.Length == lines.Count
            ? lines.Select((line, i) => line with { Text = pieces[i] }).ToList()
            : [lines[0] with { Text = redacted }];
    }
}
