using System.Collections;
using Microsoft.Extensions.Logging;

namespace Specific.Jobs.Observability;

/// <summary>
/// The logging scope of work done for one job: a JobId property on every entry written inside it, so a job's lines can
/// be found across the front door, the flow and the thread keeper (JSON logs write it as <c>"JobId": "j-…"</c>).
/// </summary>
public sealed class JobLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string JobIdProperty = "JobId";

    private readonly KeyValuePair<string, object?> _jobId;

    private JobLogScope(string jobId) => _jobId = new KeyValuePair<string, object?>(JobIdProperty, jobId);

    /// <summary>Begins the scope of <paramref name="jobId"/> on <paramref name="logger"/>.</summary>
    public static IDisposable? Begin(ILogger logger, string jobId)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return logger.BeginScope(new JobLogScope(jobId));
    }

    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? _jobId : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return _jobId;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{JobIdProperty}:{_jobId.Value}";
}
