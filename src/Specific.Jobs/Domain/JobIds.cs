using System.Security.Cryptography;

namespace Specific.Jobs.Domain;

/// <summary>Job ids: short, lower-case, DNS-label safe, so they can name the Kubernetes Job and the workflow.</summary>
public static class JobIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new id such as <c>j-7k2m9x4q</c>.</summary>
    public static string New() => "j-" + RandomNumberGenerator.GetString(Alphabet, 8);

    /// <summary>The Kubernetes Job name for a job id: derived, so a create can be retried idempotently.</summary>
    public static string KubernetesJobName(string jobId) => "specific-job-" + jobId[2..];

    /// <summary>The Temporal workflow id for a job id: derived, so a duplicate start is refused.</summary>
    public static string WorkflowId(string jobId) => "job-" + jobId;
}
