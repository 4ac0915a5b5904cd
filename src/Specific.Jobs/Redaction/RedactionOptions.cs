using System.ComponentModel.DataAnnotations;

namespace Specific.Jobs.Redaction;

/// <summary>How secrets are kept out of Slack. Bound from the "Redaction" section.</summary>
public sealed class RedactionOptions
{
    public const string Section = "Redaction";

    /// <summary>
    /// Redact the values a job's environment takes from Secrets (needs <c>get</c> on secrets and jobs in the job's
    /// namespace). False leaves token shapes only, and the RBAC component can be left out.
    /// </summary>
    public bool SecretValues { get; set; } = true;

    /// <summary>How long a job's secret values are kept in memory after they were read.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>After a read that failed (forbidden, not found, timed out), how long before it is tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryFailedReadAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long reading a job's Secrets may take. Kept well inside Slack's 3 seconds, because `job logs` answers
    /// within the request; when it runs out, the output is redacted by shape only and says so.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// At most this many jobs' values are kept in memory at once; the ones closest to expiring go first. Above the
    /// number of jobs live at once, or every excerpt of a busy hour reads its job's Secrets again from the API server.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxCachedJobs { get; set; } = 2_048;
}
