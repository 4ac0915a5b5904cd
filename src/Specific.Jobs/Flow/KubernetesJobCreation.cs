using Microsoft.Extensions.Logging;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Flow;

/// <summary>
/// Creates a job's Kubernetes Job at most once: the job is marked in the store before the create call, and when the
/// mark is already there (a flow resumed after a restart, a retried create activity) the Job is looked up by its
/// job-id label instead. A Job that is gone by then is not created again: the command may already have run.
/// </summary>
internal sealed partial class KubernetesJobCreation(IJobStore jobs, IKubernetesJobs kubernetes, TimeProvider time, ILogger logger)
{
    public async Task CreateOnceAsync(PreparedJob job, CancellationToken cancellationToken)
    {
        if (!await jobs.TryMarkCreateRequestedAsync(job.JobId, time.GetUtcNow(), cancellationToken))
        {
            await ReattachAsync(job, cancellationToken);
            return;
        }

        try
        {
            await kubernetes.CreateAsync(job, cancellationToken);
        }
        catch (Exception failure) when (failure is not JobRejectedException && !cancellationToken.IsCancellationRequested)
        {
            // Only a lookup that answers can tell a create that did nothing (a retry may create) from one that did.
            var existing = await TryFindAsync(job, cancellationToken);
            if (existing is { Answered: true, Name: { } name })
            {
                LogCreatedDespiteError(failure, job.JobId, name);
                return;
            }

            if (existing.Answered)
            {
                await jobs.ClearCreateRequestedAsync(job.JobId, cancellationToken);
            }

            throw;
        }
    }

    /// <summary>What a person is told when the Job an earlier flow created is no longer there.</summary>
    public static string GoneReason(PreparedJob job) =>
        $"The Kubernetes Job `{job.Namespace}/{job.JobName}` was gone when the job engine came back to it (deleted while "
        + "the bot was down, or never created because the bot stopped mid-create); it was not started again, so the "
        + "command may have run partly or not at all. Run the job again if needed.";

    private async Task ReattachAsync(PreparedJob job, CancellationToken cancellationToken)
    {
        if (await kubernetes.FindAsync(job.Environment, job.Namespace, job.JobId, cancellationToken) is { } name)
        {
            LogReattached(job.JobId, name);
            return;
        }

        throw new JobRejectedException(GoneReason(job), RejectionKinds.Gone);
    }

    private async Task<(bool Answered, string? Name)> TryFindAsync(PreparedJob job, CancellationToken cancellationToken)
    {
        try
        {
            return (true, await kubernetes.FindAsync(job.Environment, job.Namespace, job.JobId, cancellationToken));
        }
        catch (Exception lookup) when (!cancellationToken.IsCancellationRequested)
        {
            LogLookupFailed(lookup, job.JobId);
            return (false, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} re-attached to its Kubernetes Job {JobName}; not creating it again")]
    private partial void LogReattached(string jobId, string jobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating the Kubernetes Job of {JobId} failed, yet {JobName} exists: counting it as created")]
    private partial void LogCreatedDespiteError(Exception failure, string jobId, string jobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look up the Kubernetes Job of {JobId} after a failed create; the create mark stays")]
    private partial void LogLookupFailed(Exception lookup, string jobId);
}
