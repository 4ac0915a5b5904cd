using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Kubernetes;

/// <summary>The KubernetesClient adapter of <see cref="IKubernetesJobs"/>: every call it makes is listed in <see cref="KubernetesApiCalls"/>.</summary>
public sealed partial class KubernetesJobs(
    IKubernetesClientFactory clients,
    IOptions<KubernetesJobsOptions> options,
    TimeProvider time,
    ILogger<KubernetesJobs> logger) : IKubernetesJobs
{
    public async Task<PreparedJob> PrepareAsync(PrepareJobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = clients.ForEnvironment(request.Environment);

        V1Deployment deployment;
        try
        {
            deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(
                request.Service, request.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new JobRejectedException(
                $"Service `{request.Service}` is not deployed in environment `{request.Environment}` " +
                $"(no Deployment `{request.Service}` in namespace `{request.Namespace}`). Deploy it first, then run the job again.",
                RejectionKinds.NotDeployed);
        }
        catch (HttpOperationException e) when (IsDenied(e))
        {
            throw Forbidden(e, KubernetesApiCalls.ReadDeployment, request.Namespace);
        }

        BuiltJob built;
        try
        {
            built = JobSpecBuilder.FromDeployment(deployment, new JobSpecInput(
                request.JobId, request.Service, request.Environment, request.Command)
            {
                ActiveDeadlineSeconds = request.ActiveDeadlineSeconds,
            });
        }
        catch (JobSpecException e)
        {
            throw new JobRejectedException(e.Message, RejectionKinds.Invalid);
        }

        built.Job.Metadata.NamespaceProperty = request.Namespace;
        return new PreparedJob(
            request.JobId, request.Namespace, built.Job.Metadata.Name, built.Container, built.Image,
            KubernetesJson.Serialize(built.Job), built.Notes)
        {
            Environment = request.Environment,
        };
    }

    public async Task CreateAsync(PreparedJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var client = ClientFor(job.Environment, job.Namespace);
        var body = KubernetesJson.Deserialize<V1Job>(job.JobJson);
        try
        {
            await client.BatchV1.CreateNamespacedJobAsync(body, job.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var existing = await client.BatchV1.ReadNamespacedJobAsync(job.JobName, job.Namespace, cancellationToken: cancellationToken);
            string? owner = null;
            existing.Metadata?.Labels?.TryGetValue(JobLabels.JobId, out owner);
            if (owner == job.JobId)
            {
                LogAlreadyCreated(logger, job.JobName, job.Namespace);
                return;
            }
            throw new JobRejectedException(
                $"A Job named `{job.JobName}` already exists in namespace `{job.Namespace}` and is not this job's " +
                $"(its {JobLabels.JobId} is `{owner ?? "unset"}`). Delete it, then run the job again.",
                RejectionKinds.Conflict);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            throw new JobRejectedException($"Kubernetes refused the Job as invalid: {ApiMessage(e)}", RejectionKinds.Invalid);
        }
        catch (HttpOperationException e) when (IsDenied(e))
        {
            throw Forbidden(e, KubernetesApiCalls.CreateJob, job.Namespace);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new JobRejectedException(
                $"Namespace `{job.Namespace}` does not exist, so the Job cannot be created: {ApiMessage(e)}", RejectionKinds.NotDeployed);
        }
    }

    public async Task<string?> FindAsync(string? environment, string @namespace, string jobId, CancellationToken cancellationToken)
    {
        var client = ClientFor(environment, @namespace);
        V1JobList found;
        try
        {
            found = await client.BatchV1.ListNamespacedJobAsync(
                @namespace, labelSelector: JobLabels.SelectorFor(jobId), cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (IsDenied(e))
        {
            throw Forbidden(e, KubernetesApiCalls.ListJobs, @namespace);
        }

        // A Job with a deletion timestamp is on its way out: its pod is being killed, so there is nothing to follow.
        return found.Items.FirstOrDefault(job => job.Metadata?.DeletionTimestamp is null)?.Metadata?.Name;
    }

    public Task<JobEnd> FollowAsync(FollowRequest request, IFollowObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var follow = new JobFollow(ClientFor(request.Environment, request.Namespace), request, observer, options.Value, time, logger);
        return follow.RunAsync(cancellationToken);
    }

    public async Task DeleteAsync(string @namespace, string jobName, CancellationToken cancellationToken)
    {
        var client = clients.ForNamespace(@namespace);
        try
        {
            await client.BatchV1.DeleteNamespacedJobAsync(
                jobName, @namespace, propagationPolicy: "Background", cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone (finished and cleaned up, or deleted before): nothing to do.
        }
        catch (HttpOperationException e) when (IsDenied(e))
        {
            throw Forbidden(e, KubernetesApiCalls.DeleteJob, @namespace);
        }
    }

    private IKubernetes ClientFor(string? environment, string @namespace) =>
        environment is null ? clients.ForNamespace(@namespace) : clients.ForEnvironment(environment);

    internal static bool IsDenied(HttpOperationException e) =>
        e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized;

    internal static JobRejectedException Forbidden(HttpOperationException e, KubernetesApiCall call, string @namespace)
    {
        var what = e.Response.StatusCode == HttpStatusCode.Unauthorized
            ? "Kubernetes did not accept the bot's credentials"
            : $"The bot is not allowed to {call.Verb} {call.Resource}{(call.Group.Length == 0 ? "" : "." + call.Group)} in namespace `{@namespace}`";
        return new JobRejectedException(
            $"{what} ({ApiMessage(e)}). Grant the bot's service account that permission (see its RBAC manifest), then run the job again.",
            RejectionKinds.Forbidden);
    }

    /// <summary>The message of the API's Status body, or the HTTP status when there is none.</summary>
    internal static string ApiMessage(HttpOperationException e)
    {
        var content = e.Response?.Content;
        if (!string.IsNullOrWhiteSpace(content))
        {
            try
            {
                var status = KubernetesJson.Deserialize<V1Status>(content);
                if (!string.IsNullOrWhiteSpace(status?.Message))
                    return status.Message;
            }
            catch (System.Text.Json.JsonException)
            {
                // Not a Status object (a proxy's error page, say): fall back to the raw text.
            }
            return content.Length > 300 ? content[..300] : content;
        }
        return $"HTTP {(int?)e.Response?.StatusCode}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobName} in {Namespace} already exists and is ours; counting it as created")]
    private static partial void LogAlreadyCreated(ILogger logger, string jobName, string @namespace);
}
