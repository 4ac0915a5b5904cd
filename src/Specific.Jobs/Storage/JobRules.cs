using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>The checks every store makes before it writes, so both refuse the same things the same way.</summary>
internal static class JobRules
{
    /// <summary>
    /// The SQL condition for an ended job, in both stores; written exactly as the retention migrations' partial indexes
    /// (jobs_ended, jobs_logs_to_prune) state it, so the planners can use them.
    /// </summary>
    public const string EndedSql = "state IN ('succeeded', 'failed', 'cancelled')";

    /// <summary>Refuses a move the lifecycle forbids, and a failure without a reason a person can act on.</summary>
    public static void EnsureAllowed(JobState expected, JobTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        if (!JobLifecycle.CanMove(expected, transition.To))
        {
            throw new InvalidTransitionException(expected, transition.To);
        }

        if (transition.To == JobState.Failed && string.IsNullOrWhiteSpace(transition.FailureReason))
        {
            throw new ArgumentException("A failed job must carry a reason a person can act on.", nameof(transition));
        }
    }

    /// <summary>The column that records when a job entered <paramref name="state"/>.</summary>
    public static string TimestampColumn(JobState state) => state switch
    {
        JobState.Queued => "queued_at",
        JobState.Running => "running_at",
        JobState.Succeeded or JobState.Failed or JobState.Cancelled => "finished_at",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "No transition enters this state."),
    };

    /// <summary>The notes to add: the new ones, each once, in the order given, without those already recorded.</summary>
    public static string[] NewNotes(IReadOnlyList<string> existing, IReadOnlyList<string>? added) =>
        added is null ? [] : added.Distinct(StringComparer.Ordinal).Where(n => !existing.Contains(n)).ToArray();

    /// <summary>A list size a caller may ask for: at least one, at most a page a person can read.</summary>
    public static int ClampLimit(int limit) => Math.Clamp(limit, 1, 500);
}
