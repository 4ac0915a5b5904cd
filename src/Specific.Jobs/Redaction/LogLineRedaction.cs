using Specific.Jobs.Domain;

namespace Specific.Jobs.Redaction;

/// <summary>Redacts log lines as one block, before they are cut into excerpts, so a secret spanning lines is found whole.</summary>
public static class LogLineRedaction
{
    /// <summary>
    /// <paramref name="lines"/> with their texts redacted together; numbers, timestamps and streams stay. The first
    /// <paramref name="context"/> lines are read only to find secrets that started before the shown lines, and are
    /// left out of the result.
    /// </summary>
    public static IReadOnlyList<LogLine> RedactLines(this ITextRedactor redactor, IReadOnlyList<LogLine> lines, int context = 0)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(lines);
        context = Math.Clamp(context, 0, lines.Count);
        if (lines.Count == 0)
        {
            return lines;
        }
        var redacted = redactor.Redact(string.Join('\n', lines.Select(line => line.Text))).Split('\n');
        if (redacted.Length != lines.Sum(line => line.Text.Count(c => c == '\n') + 1))
        {
            // A redactor that does not keep line breaks (not SecretRedactor): redact line by line rather than misplace lines.
            return [.. lines.Skip(context).Select(line => line with { Text = redactor.Redact(line.Text) })];
        }
        var result = new List<LogLine>(lines.Count - context);
        var piece = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            // A stored line holding a newline of its own takes as many pieces as it has lines.
            var pieces = lines[i].Text.Count(c => c == '\n') + 1;
            if (i >= context)
            {
                result.Add(lines[i] with { Text = string.Join('\n', redacted, piece, pieces) });
            }
            piece += pieces;
        }
        return result;
    }
}
