using Specific.Jobs.Domain;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Threads;

/// <summary>
/// Whether the person who started a job gets a direct message when it ends: a job started from Slack by a valid user
/// id that took longer than <see cref="ThreadKeeperOptions.RequesterDmAfter"/>, unless that person turned it off.
/// </summary>
public static class JobEndNotice
{
    /// <summary>How long the job took: from running (or, when it never ran, from being recorded) to its end.</summary>
    public static TimeSpan Took(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return (job.FinishedAt ?? job.CreatedAt) - (job.RunningAt ?? job.CreatedAt);
    }

    /// <summary>
    /// The user id to tell, or null when the job has not ended, was not started from Slack by a user id of Slack's
    /// shape, or ended within <paramref name="threshold"/>. The person's own choice is asked for only then (<see cref="Wants"/>).
    /// </summary>
    public static string? Recipient(JobRecord job, TimeSpan threshold)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.State.IsFinal() && job.Origin.Client == JobOrigin.Slack && SlackText.IsUserId(job.Origin.UserId) && Took(job) > threshold
            ? job.Origin.UserId
            : null;
    }

    /// <summary>A person who never chose gets the message; one who said <c>/specific notify off</c> does not.</summary>
    public static bool Wants(bool? choice) => choice ?? true;
}
