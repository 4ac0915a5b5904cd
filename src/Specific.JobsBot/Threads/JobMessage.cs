using Humanizer;
using Specific.Jobs.Domain;

namespace Specific.JobsBot.Threads;

/// <summary>What the job message says, decided from the job and the clock; <see cref="JobMessageRenderer"/> shows it.</summary>
public sealed record JobMessage
{
    public required string JobId { get; init; }

    /// <summary>The job's name, or its id when it has none.</summary>
    public required string Title { get; init; }

    public required JobState State { get; init; }
    public required string StateEmoji { get; init; }

    /// <summary>"Succeeded", "Running", …</summary>
    public required string StateLabel { get; init; }

    public required string Service { get; init; }
    public required string Environment { get; init; }
    public required string Command { get; init; }

    /// <summary>The Slack user id of who started the job, when known.</summary>
    public string? StartedByUserId { get; init; }

    /// <summary>A name to show when there is no Slack user id ("the dashboard").</summary>
    public required string StartedByName { get; init; }

    /// <summary>"queued 3 seconds ago", "running for 2 minutes", "ran for 2 minutes".</summary>
    public required string Timing { get; init; }

    /// <summary>"10 minutes": how long the job may run, shown until it ends; null when it has ended or no limit was recorded.</summary>
    public string? TimeLimit { get; init; }

    public int? ExitCode { get; init; }
    public string? FailureReason { get; init; }

    /// <summary>What was left out of the pod ("sidecar `envoy` not replicated").</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public string? KubernetesJobName { get; init; }
    public string? Namespace { get; init; }
    public string? Image { get; init; }
    public string? RerunOf { get; init; }

    public bool ShowCancel { get; init; }
    public bool ShowRerun { get; init; }
    public bool ShowFullLog { get; init; }

    /// <summary>The Slack user who approved the run (four-eyes approval); null when none was needed.</summary>
    public string? ApprovedByUserId { get; init; }

    /// <summary>The saved task whose command the job ran; null for a free command.</summary>
    public string? Task { get; init; }

    /// <summary>The message's model for <paramref name="job"/> as of <paramref name="now"/>.</summary>
    public static JobMessage From(JobRecord job, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        var ended = job.State.IsFinal();
        return new JobMessage
        {
            JobId = job.Id,
            Title = string.IsNullOrWhiteSpace(job.Name) ? job.Id : job.Name.Trim(),
            State = job.State,
            StateEmoji = JobStateText.Emoji(job.State),
            StateLabel = JobStateText.Label(job.State),
            Service = job.Service,
            Environment = job.Environment,
            Command = job.Command,
            StartedByUserId = job.Origin.Client == JobOrigin.Slack ? job.Origin.UserId : null,
            StartedByName = job.Origin.UserName ?? (job.Origin.Client == JobOrigin.Slack ? "someone on Slack" : "the " + job.Origin.Client),
            Timing = DescribeTiming(job, now),
            TimeLimit = !ended && job.Timeout is { } limit ? JobTimeouts.Describe(limit) : null,
            ExitCode = job.ExitCode,
            FailureReason = job.FailureReason,
            Notes = job.Notes,
            KubernetesJobName = job.KubernetesJobName,
            Namespace = job.Namespace,
            Image = job.Image,
            RerunOf = job.RerunOf,
            ShowCancel = !ended,
            ShowRerun = true,
            ShowFullLog = ended,
            ApprovedByUserId = job.ApprovedBy,
            Task = job.Task,
        };
    }

    /// <summary>How long the job has taken or took, in words.</summary>
    public static string DescribeTiming(JobRecord job, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        switch (job.State)
        {
            case JobState.Pending:
                return "created " + job.CreatedAt.Humanize(now);
            case JobState.Queued:
                return "queued " + (job.QueuedAt ?? job.CreatedAt).Humanize(now);
            case JobState.Running:
                return "running for " + Duration(now - (job.RunningAt ?? job.CreatedAt));
            default:
                var finished = job.FinishedAt ?? now;
                return job.RunningAt is { } started
                    ? "ran for " + Duration(finished - started)
                    : job.State.ToWire() + " after " + Duration(finished - job.CreatedAt);
        }
    }

    /// <summary>A duration in words, to the second: "2 minutes", "1 hour, 5 minutes", "less than a second".</summary>
    public static string Duration(TimeSpan duration) =>
        duration < TimeSpan.FromSeconds(1)
            ? "less than a second"
            : duration.Humanize(precision: 2, minUnit: Humanizer.TimeUnit.Second);
}

/// <summary>How each state is shown: one emoji and one word.</summary>
public static class JobStateText
{
    public static string Emoji(JobState state) => state switch
    {
        JobState.Pending => "⏳",
        JobState.Queued => "🕒",
        JobState.Running => "▶️",
        JobState.Succeeded => "✅",
        JobState.Failed => "❌",
        JobState.Cancelled => "🚫",
        _ => "❔",
    };

    public static string Label(JobState state) => state switch
    {
        JobState.Pending => "Pending",
        JobState.Queued => "Queued",
        JobState.Running => "Running",
        JobState.Succeeded => "Succeeded",
        JobState.Failed => "Failed",
        JobState.Cancelled => "Cancelled",
        _ => state.ToString(),
    };
}
