using System.Diagnostics;

namespace Specific.Jobs.Observability;

/// <summary>The job engine's spans: one per flow step, tagged with the job id, under whatever span started the work.</summary>
public static class JobTracing
{
    public const string SourceName = "Specific.Jobs";

    /// <summary>The span attribute that carries the job id.</summary>
    public const string JobIdTag = "job.id";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts a span for one step of a job's flow; null when nobody listens.</summary>
    public static Activity? StartStep(string step, string jobId)
    {
        var activity = Source.StartActivity("job " + step, ActivityKind.Internal);
        activity?.SetTag(JobIdTag, jobId);
        return activity;
    }

    /// <summary>Marks the span failed with the exception's type and message.</summary>
    public static void Failed(this Activity? activity, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity?.AddException(exception);
    }
}
