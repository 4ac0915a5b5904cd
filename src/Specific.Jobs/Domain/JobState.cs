namespace Specific.Jobs.Domain;

/// <summary>The lifecycle states of a job, as the product documentation names them.</summary>
public enum JobState
{
    Pending,
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>The one place that says which state may follow which.</summary>
public static class JobLifecycle
{
    /// <summary>True when <paramref name="to"/> may follow <paramref name="from"/>.</summary>
    public static bool CanMove(JobState from, JobState to) => (from, to) switch
    {
        (JobState.Pending, JobState.Queued or JobState.Failed or JobState.Cancelled) => true,
        (JobState.Queued, JobState.Running or JobState.Failed or JobState.Cancelled) => true,
        (JobState.Running, JobState.Succeeded or JobState.Failed or JobState.Cancelled) => true,
        _ => false,
    };

    /// <summary>True for succeeded, failed and cancelled: nothing follows them.</summary>
    public static bool IsFinal(this JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>The lower-case name used in storage, logs and messages ("running").</summary>
    public static string ToWire(this JobState state) => state switch
    {
        JobState.Pending => "pending",
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Parses a stored or typed state name.</summary>
    public static JobState FromWire(string value) => value switch
    {
        "pending" => JobState.Pending,
        "queued" => JobState.Queued,
        "running" => JobState.Running,
        "succeeded" => JobState.Succeeded,
        "failed" => JobState.Failed,
        "cancelled" => JobState.Cancelled,
        _ => throw new FormatException($"'{value}' is not a job state."),
    };
}
