using Specific.Jobs.Domain;
using Specific.JobsBot.Threads;

namespace Specific.JobsBot.Home;

/// <summary>
/// What one person's Home tab says: their unfinished jobs and their most recent ended ones, decided from the store and
/// the clock; <see cref="HomeTabRenderer"/> shows it. Private to its viewer, so it lists their own commands, and
/// nobody else's jobs.
/// </summary>
public sealed record HomeTab(string UserId, IReadOnlyList<HomeTabJob> Unfinished, IReadOnlyList<HomeTabJob> Ended)
{
    /// <summary>The action_id of the tab's "Run a job" button: it opens the run form the global shortcut opens.</summary>
    public const string RunJobAction = "home_run_a_job";

    /// <summary>Said under the list when some commands could be redacted by token shape only.</summary>
    public string? Warning { get; init; }
}

/// <summary>One row of the Home tab.</summary>
/// <param name="Timing">"running for 2 minutes", "ran for 5 seconds", as the job message says it.</param>
/// <param name="ThreadLink">The permalink of the job's message, once it is posted and known.</param>
public sealed record HomeTabJob(
    string JobId,
    string Title,
    JobState State,
    string Service,
    string Environment,
    string Command,
    string Timing,
    Uri? ThreadLink)
{
    /// <summary>The row of <paramref name="job"/> (already redacted) as of <paramref name="now"/>.</summary>
    public static HomeTabJob From(JobRecord job, Uri? threadLink, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new HomeTabJob(
            job.Id,
            string.IsNullOrWhiteSpace(job.Name) ? job.Id : job.Name.Trim(),
            job.State,
            job.Service,
            job.Environment,
            job.Command,
            JobMessage.DescribeTiming(job, now),
            threadLink);
    }
}
