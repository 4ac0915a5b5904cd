using Specific.Jobs.Domain;

namespace Specific.Jobs.Redaction;

/// <summary>Keeps secrets out of text bound for Slack: excerpts, files, messages and errors all pass through it.</summary>
public interface IJobRedaction
{
    /// <summary>The redactor for one job: the values its environment takes from Secrets, plus common token shapes.</summary>
    ValueTask<ITextRedactor> ForJobAsync(JobRecord job, CancellationToken cancellationToken);
}

/// <summary>Replaces every secret in a text with a marker.</summary>
public interface ITextRedactor
{
    /// <summary>
    /// The text with every secret replaced. A block of several lines is redacted as a whole, so redact a block before
    /// cutting it into pieces: a value split across two pieces is only found while they are still one text.
    /// </summary>
    string Redact(string text);

    /// <summary>
    /// A sentence to show beside the output when redaction by value is incomplete for this job (a Secret could not be
    /// read), so a reader knows only token shapes were caught; null when every value was read or value redaction is off.
    /// </summary>
    string? Warning => null;
}
