using Specific.Jobs.Domain;

namespace Specific.Jobs.Flow;

/// <summary>The Temporal identifiers of the job engine, shared by the worker and the client.</summary>
public static class JobTemporal
{
    /// <summary>The task queue the worker polls and the client starts workflows on.</summary>
    public const string TaskQueue = "specific-jobs";

    /// <summary>The workflow type of one job's flow.</summary>
    public const string WorkflowType = "RunJob";

    public const string PrepareActivity = "PrepareJob";
    public const string CreateActivity = "CreateJob";
    public const string FollowActivity = "FollowJob";
    public const string DeleteActivity = "DeleteJob";
    public const string RecordActivity = "RecordJobOutcome";

    /// <summary>
    /// The worker sends heartbeats at most this far apart (Temporal's default is 0.8 × the heartbeat timeout), so
    /// a cancel reaches a quiet follow within about <see cref="JobActivities.HeartbeatInterval"/>.
    /// </summary>
    public static readonly TimeSpan MaxHeartbeatThrottleInterval = JobActivities.HeartbeatInterval;

    /// <summary>The error type of a workflow that could not record its job's outcome.</summary>
    public const string RecordFailedErrorType = "RecordFailed";

    /// <summary>
    /// The rejection kinds (<see cref="RejectionKinds"/>) that are never retried. The activities already mark every
    /// rejection non-retryable; listing the known kinds keeps the retry policy explicit.
    /// </summary>
    public static readonly IReadOnlyList<string> NonRetryableErrorTypes = RejectionKinds.All;
}
