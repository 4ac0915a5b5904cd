using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;

namespace Specific.Jobs.Testing;

/// <summary>
/// Redaction with values a test chooses instead of reading Secrets: the real <see cref="SecretRedactor"/> (values and
/// shapes), optionally with a warning, as when a Secret could not be read.
/// </summary>
public sealed class FixedJobRedaction : IJobRedaction
{
    private volatile SecretRedactor _redactor = SecretRedactor.ShapesOnly;

    /// <summary>Every job is redacted by these values (and shapes) from now on.</summary>
    public void Use(IEnumerable<string> values, string? warning = null) =>
        _redactor = new SecretRedactor(SecretValueSet.Create(values), warning);

    public ValueTask<ITextRedactor> ForJobAsync(JobRecord job, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ITextRedactor>(_redactor);
}
