namespace Specific.JobsBot.Guardrails;

/// <summary>
/// Who may run, cancel and audit jobs where. Bound from "Guardrails"; validated at start-up by
/// <see cref="GuardrailsOptionsValidator"/>, so a policy the bot cannot honour stops it from starting.
/// </summary>
public sealed class GuardrailsOptions
{
    public const string Section = "Guardrails";

    /// <summary>The environment that is closed until a policy opens it, and asks for confirmation unless told not to.</summary>
    public const string Production = "production";

    /// <summary>Guardrails:Environments:&lt;name&gt;, the policy of each environment.</summary>
    public Dictionary<string, EnvironmentPolicy> Environments { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Guardrails:Admins, people who are admins of every environment (a platform team).</summary>
    public PeopleList Admins { get; init; } = new();

    /// <summary>Guardrails:GroupCacheDuration, how long a user group's members are trusted before Slack is asked again.</summary>
    public TimeSpan GroupCacheDuration { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>One environment's policy: who may run there, who administers it, and whether a start must be confirmed.</summary>
public sealed class EnvironmentPolicy
{
    /// <summary>Who may run jobs; absent means only the admins.</summary>
    public Audience? Run { get; init; }

    /// <summary>May run, may cancel any job here, and may read the audit trail; named in every refusal.</summary>
    public PeopleList Admins { get; init; } = new();

    /// <summary>Whether a start must be confirmed by typing the service name; production defaults to true, others to false.</summary>
    public bool? RequireConfirmation { get; init; }

    /// <summary>Guardrails:Environments:&lt;env&gt;:Services:&lt;service&gt;, what differs for one service.</summary>
    public Dictionary<string, ServicePolicy> Services { get; init; } = new(StringComparer.Ordinal);

    /// <summary>A second person must approve every job here before it starts; a service's own Approval replaces it.</summary>
    public ApprovalPolicy? Approval { get; init; }

    /// <summary>Only saved tasks (<c>Tasks:&lt;service&gt;:&lt;task&gt;</c>) run here: a free command is refused with the tasks offered.</summary>
    public bool? SavedTasksOnly { get; init; }
}

/// <summary>What one service changes in its environment's policy.</summary>
public sealed class ServicePolicy
{
    /// <summary>Who may run jobs on this service, instead of the environment's Run.</summary>
    public Audience? Run { get; init; }

    /// <summary>Overrides the environment's RequireConfirmation for this service.</summary>
    public bool? RequireConfirmation { get; init; }

    /// <summary>One unfinished job at a time: a second start is refused, naming the job that holds the service.</summary>
    public bool ExclusiveRun { get; init; }

    /// <summary>Overrides the environment's SavedTasksOnly for this service.</summary>
    public bool? SavedTasksOnly { get; init; }

    /// <summary>A second person must approve every job on this service before it starts, instead of the environment's Approval.</summary>
    public ApprovalPolicy? Approval { get; init; }
}

/// <summary>Four-eyes approval: who may approve, where the request is posted, and how long it waits.</summary>
public sealed class ApprovalPolicy
{
    /// <summary>How long a request waits when Expiry is not set.</summary>
    public static readonly TimeSpan DefaultExpiry = TimeSpan.FromMinutes(30);

    /// <summary>The longest a request may wait.</summary>
    public static readonly TimeSpan MaxExpiry = TimeSpan.FromDays(7);

    /// <summary>Who may approve (never the requester); at least one user or group.</summary>
    public PeopleList Approvers { get; init; } = new();

    /// <summary>The approvers' channel (C…/G…) the request is posted in; absent: the channel the job was asked for in.</summary>
    public string? Channel { get; init; }

    /// <summary>How long a request waits for a decision before it expires (default 30 minutes).</summary>
    public TimeSpan Expiry { get; init; } = DefaultExpiry;
}

/// <summary>
/// Who may run: people (users, or members of user groups) and where (channels). A dimension left empty does not
/// restrict; when both are given, the person must be listed and the command must come from a listed channel.
/// </summary>
public sealed class Audience
{
    /// <summary>Slack member ids (U…, W…); "*" means anyone.</summary>
    public List<string> Users { get; init; } = [];

    /// <summary>Slack user group ids (S…); membership is read with usergroups.users.list.</summary>
    public List<string> Groups { get; init; } = [];

    /// <summary>Slack channel ids (C…, G…) the command must come from.</summary>
    public List<string> Channels { get; init; } = [];

    public bool NamesPeople => Users.Count > 0 || Groups.Count > 0;

    public bool IsEmpty => !NamesPeople && Channels.Count == 0;
}

/// <summary>People by Slack member id and by user group id.</summary>
public sealed class PeopleList
{
    public List<string> Users { get; init; } = [];

    public List<string> Groups { get; init; } = [];

    public bool IsEmpty => Users.Count == 0 && Groups.Count == 0;
}
