namespace Specific.Jobs.Domain;

/// <summary>The kinds of a rejected job step; each is also the Temporal error type of its failure, so the values never change.</summary>
public static class RejectionKinds
{
    /// <summary>The service has no Deployment, or the namespace does not exist, in the job's environment.</summary>
    public const string NotDeployed = "NotDeployed";

    /// <summary>Kubernetes refused the bot's credentials or did not allow the call.</summary>
    public const string Forbidden = "Forbidden";

    /// <summary>The Deployment cannot become a Job, or Kubernetes refused the Job as invalid.</summary>
    public const string Invalid = "Invalid";

    /// <summary>A Job of the same name exists and belongs to another job.</summary>
    public const string Conflict = "Conflict";

    /// <summary>The job's environment is not configured.</summary>
    public const string UnknownEnvironment = "UnknownEnvironment";

    /// <summary>The job is not in the job store.</summary>
    public const string UnknownJob = "UnknownJob";

    /// <summary>The job's Kubernetes Job was created once and is gone; creating it again could run the command twice.</summary>
    public const string Gone = "Gone";

    /// <summary>Every kind, which the retry policy lists as never retried.</summary>
    public static readonly IReadOnlyList<string> All =
        [NotDeployed, Forbidden, Invalid, Conflict, UnknownEnvironment, UnknownJob, Gone];
}
