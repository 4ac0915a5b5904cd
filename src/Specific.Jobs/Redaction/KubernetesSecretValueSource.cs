using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Redaction;

/// <summary>
/// Reads, with the real KubernetesClient, the Secrets a job's container names in <c>env[].valueFrom.secretKeyRef</c>
/// and <c>envFrom[].secretRef</c>. The container comes from the job's Kubernetes Job while it exists (exactly what
/// ran), else from the service's live Deployment, the way the Job was built from it. Every call is in
/// <see cref="KubernetesApiCalls.ValueRedaction"/>. Values are never logged.
/// </summary>
public sealed partial class KubernetesSecretValueSource(
    IKubernetesClientFactory clients, ILogger<KubernetesSecretValueSource> logger) : ISecretValueSource
{
    public async Task<SecretValueRead> ReadAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        string @namespace;
        IKubernetes client;
        try
        {
            @namespace = job.Namespace is { Length: > 0 } known ? known : clients.NamespaceOf(job.Environment);
            client = clients.ForEnvironment(job.Environment);
        }
        catch (JobRejectedException e)
        {
            return Failed(e.Message);
        }

        var (containers, problem) = await ContainersOfAsync(client, job, @namespace, cancellationToken);
        if (problem is not null)
        {
            return Failed(problem);
        }

        var values = new List<string>();
        var problems = new List<string>();
        foreach (var reference in SecretReferences(containers))
        {
            var secret = await ReadSecretAsync(client, reference, @namespace, problems, cancellationToken);
            if (secret?.Data is not { } data)
            {
                continue;
            }
            foreach (var (key, bytes) in data)
            {
                if (reference.Keys is null || reference.Keys.Contains(key))
                {
                    values.Add(Encoding.UTF8.GetString(bytes));
                }
            }
        }
        return new SecretValueRead(values, problems);
    }

    private static SecretValueRead Failed(string problem) => new([], [problem]);

    /// <summary>The containers of the job's Kubernetes Job, or of the Job the live Deployment would give.</summary>
    private async Task<(IList<V1Container> Containers, string? Problem)> ContainersOfAsync(
        IKubernetes client, JobRecord job, string @namespace, CancellationToken cancellationToken)
    {
        if (job.KubernetesJobName is { Length: > 0 } jobName)
        {
            try
            {
                var created = await client.BatchV1.ReadNamespacedJobAsync(jobName, @namespace, cancellationToken: cancellationToken);
                return (created.Spec?.Template?.Spec?.Containers ?? [], null);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Cleaned up an hour after it ended: the Deployment it was built from is the next best source.
            }
            catch (HttpOperationException e) when (KubernetesJobs.IsDenied(e))
            {
                return ([], Denied(KubernetesApiCalls.ReadJob, $"Job `{jobName}`", @namespace, e));
            }
        }

        V1DeploymentList deployments;
        try
        {
            // A list by name, not a get: the bot already lists Deployments for the service catalog.
            deployments = await client.AppsV1.ListNamespacedDeploymentAsync(
                @namespace, fieldSelector: $"metadata.name={job.Service}", cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (KubernetesJobs.IsDenied(e))
        {
            return ([], Denied(KubernetesApiCalls.ListDeployments, $"Deployment `{job.Service}`", @namespace, e));
        }
        if (deployments.Items.FirstOrDefault() is not { } deployment)
        {
            // Never created (the service was not deployed): no pod ran, so there is no value to hide.
            return job.KubernetesJobName is null
                ? ([], null)
                : ([], $"neither the job's Kubernetes Job nor Deployment `{job.Service}` exists in `{@namespace}` any more, so its Secrets are unknown");
        }
        try
        {
            var built = JobSpecBuilder.FromDeployment(deployment, new JobSpecInput(job.Id, job.Service, job.Environment, job.Command));
            return (built.Job.Spec.Template.Spec.Containers, null);
        }
        catch (JobSpecException e)
        {
            return ([], e.Message);
        }
    }

    /// <summary>One Secret a container reads, and which keys (null: all of them, through envFrom).</summary>
    private sealed record SecretReference(string Name, HashSet<string>? Keys, bool Optional);

    private static List<SecretReference> SecretReferences(IList<V1Container> containers)
    {
        var byName = new Dictionary<string, SecretReference>(StringComparer.Ordinal);
        void Add(string name, string? key, bool optional)
        {
            if (!byName.TryGetValue(name, out var existing))
            {
                byName[name] = new SecretReference(name, key is null ? null : new HashSet<string>(StringComparer.Ordinal) { key }, optional);
                return;
            }
            var keys = existing.Keys is null || key is null ? null : new HashSet<string>(existing.Keys, StringComparer.Ordinal) { key };
            byName[name] = new SecretReference(name, keys, existing.Optional && optional);
        }

        foreach (var container in containers)
        {
            foreach (var env in container.Env ?? [])
            {
                if (env.ValueFrom?.SecretKeyRef is { Name: { Length: > 0 } name } keyRef)
                {
                    Add(name, keyRef.Key, keyRef.Optional == true);
                }
            }
            foreach (var source in container.EnvFrom ?? [])
            {
                if (source.SecretRef is { Name: { Length: > 0 } name } secretRef)
                {
                    Add(name, null, secretRef.Optional == true);
                }
            }
        }
        return [.. byName.Values];
    }

    private async Task<V1Secret?> ReadSecretAsync(
        IKubernetes client, SecretReference reference, string @namespace, List<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(reference.Name, @namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            if (!reference.Optional)
            {
                // Deleted after the job started: what the job saw cannot be known any more.
                LogSecretUnreadable(reference.Name, @namespace, "not found");
                problems.Add($"Secret `{reference.Name}` no longer exists in `{@namespace}`");
            }
            return null;
        }
        catch (HttpOperationException e) when (KubernetesJobs.IsDenied(e))
        {
            LogSecretUnreadable(reference.Name, @namespace, e.Response.StatusCode.ToString());
            problems.Add(Denied(KubernetesApiCalls.ReadSecret, $"Secret `{reference.Name}`", @namespace, e));
            return null;
        }
        catch (HttpOperationException e)
        {
            LogSecretUnreadable(reference.Name, @namespace, e.Response.StatusCode.ToString());
            problems.Add($"Secret `{reference.Name}` in `{@namespace}` could not be read ({KubernetesJobs.ApiMessage(e)})");
            return null;
        }
    }

    private static string Denied(KubernetesApiCall call, string what, string @namespace, HttpOperationException e) =>
        e.Response.StatusCode == HttpStatusCode.Unauthorized
            ? $"Kubernetes did not accept the bot's credentials when it read {what} in `{@namespace}`"
            : $"the bot may not {call.Verb} {call.Resource}{(call.Group.Length == 0 ? "" : "." + call.Group)} in `{@namespace}` " +
              $"(it read {what}); apply the secret-value-redaction RBAC component, or set Redaction__SecretValues=false";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {Secret} in {Namespace} could not be read for redaction ({Reason}); redacting by shape only")]
    private partial void LogSecretUnreadable(string secret, string @namespace, string reason);
}
