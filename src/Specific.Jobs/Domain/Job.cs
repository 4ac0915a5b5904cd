namespace Specific.Jobs.Domain;

/// <summary>Who asked for a job and from where: a Slack team/channel/user, or another client.</summary>
/// <param name="Client">"slack", "dashboard" or "api".</param>
public sealed record JobOrigin(
    string Client,
    string? TeamId = null,
    string? ChannelId = null,
    string? UserId = null,
    string? UserName = null)
{
    /// <summary>The client name for jobs started from Slack.</summary>
    public const string Slack = "slack";
}

/// <summary>What a person asked to run: validated, not yet recorded.</summary>
/// <param name="RunAlone">
/// The service's policy allows one unfinished job at a time: the store refuses to record this one while another job of
/// the same service and environment is pending, queued or running (<c>ServiceBusyException</c>), atomically.
/// </param>
public sealed record JobRequest(
    string Service,
    string Environment,
    string Command,
    string? Name,
    JobOrigin Origin,
    string? RerunOf = null,
    bool RunAlone = false)
{
    /// <summary>How long the job may run before Kubernetes stops it (activeDeadlineSeconds); null sets no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The Slack user who approved this run (four-eyes approval); null when no approval was needed.</summary>
    public string? ApprovedBy { get; init; }

    /// <summary>
    /// The id to record the job under, chosen before it is recorded (an approval writes it in the same write that marks
    /// the approval approved, so a retried start finds the job instead of recording a second one); null draws a new id.
    /// </summary>
    public string? JobId { get; init; }

    /// <summary>The saved task (<c>Tasks:&lt;service&gt;:&lt;task&gt;</c>) whose command this is; null for a free command.</summary>
    public string? Task { get; init; }
}

/// <summary>A job as the job store holds it; the source of truth for its state.</summary>
public sealed record JobRecord
{
    public required string Id { get; init; }
    public required string Service { get; init; }
    public required string Environment { get; init; }
    public required string Command { get; init; }
    public string? Name { get; init; }
    public required JobOrigin Origin { get; init; }
    public string? RerunOf { get; init; }

    /// <summary>How long the job may run before Kubernetes stops it; null when no limit was recorded (an older job).</summary>
    public TimeSpan? Timeout { get; init; }

    public required JobState State { get; init; }

    /// <summary>Bumped on every write; the compare-and-set token and the thread keeper's render cursor.</summary>
    public required long Version { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? QueuedAt { get; init; }
    public DateTimeOffset? RunningAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>For failed jobs, always a reason a person can act on.</summary>
    public string? FailureReason { get; init; }

    public string? KubernetesJobName { get; init; }
    public string? Namespace { get; init; }

    /// <summary>The image, with its digest once the pod reports it.</summary>
    public string? Image { get; init; }

    /// <summary>What was left out of the pod, said to the user ("sidecar `envoy` not replicated").</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>When a person's cancel was first recorded; a flow picked up again after a restart honours it.</summary>
    public DateTimeOffset? CancelRequestedAt { get; init; }

    /// <summary>The Slack user (or client) whose cancel was recorded first.</summary>
    public string? CancelRequestedBy { get; init; }

    /// <summary>
    /// When a flow was about to create the Kubernetes Job: from then on the Job is looked up, never created again, so
    /// a resumed or retried flow cannot run the command twice.
    /// </summary>
    public DateTimeOffset? CreateRequestedAt { get; init; }

    /// <summary>The timestamp at which the job entered <paramref name="state"/>, if it did.</summary>
    public DateTimeOffset? EnteredAt(JobState state) => state switch
    {
        JobState.Pending => CreatedAt,
        JobState.Queued => QueuedAt,
        JobState.Running => RunningAt,
        _ => State == state ? FinishedAt : null,
    };

    /// <summary>The Slack user who approved the run (four-eyes approval); null when none was needed.</summary>
    public string? ApprovedBy { get; init; }

    /// <summary>The saved task whose command the job ran; null for a free command (and for jobs recorded before tasks).</summary>
    public string? Task { get; init; }
}

/// <summary>A move to a new state, with what is known at that moment.</summary>
public sealed record JobTransition(
    JobState To,
    DateTimeOffset At,
    int? ExitCode = null,
    string? FailureReason = null);

/// <summary>Facts learned about a job while it runs, recorded without a state change.</summary>
public sealed record JobDetails(
    string? KubernetesJobName = null,
    string? Namespace = null,
    string? Image = null,
    IReadOnlyList<string>? Notes = null);
