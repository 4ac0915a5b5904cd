using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;

namespace Specific.JobsBot.Hosting;

/// <summary>
/// TRANSITIONAL: redacts nothing. Registered with TryAdd only so the log readers run before the real redactor is
/// merged; the real <see cref="IJobRedaction"/>, registered before the front door, replaces it.
/// </summary>
internal sealed class TransitionalPassThroughRedaction : IJobRedaction, ITextRedactor
{
    public ValueTask<ITextRedactor> ForJobAsync(JobRecord job, CancellationToken cancellationToken) => ValueTask.FromResult<ITextRedactor>(this);

    public string Redact(string text) => text;
}
