using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Hosting;

/// <summary>
/// The sandbox's Temporal stand-in keeps its workflows in memory, so a restarted sandbox has lost the workflow of every
/// job that had not ended. On start this gives each such job its workflow again: a pending job starts, a queued or
/// running one resumes (its flow re-attaches to the Kubernetes Job, or ends it failed when the Job is gone; it never
/// creates a second one). A job whose cancel was recorded before the crash is cancelled again as soon as its workflow
/// exists: the start-up sweep that re-delivers recorded cancels ran before there was a workflow to cancel, and an
/// acknowledged cancel must hold. A real Temporal server keeps workflows, so only the sandbox registers this.
/// </summary>
public sealed partial class SandboxFlowRecovery(
    IJobStore jobs, TemporalJobLauncher launcher, ILogger<SandboxFlowRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var unfinished = await jobs.ListAsync(new JobQuery(UnfinishedOnly: true, Limit: InProcessJobRunner.MaxReattached), cancellationToken);
        foreach (var job in unfinished)
        {
            var flow = await launcher.DescribeAsync(job.Id, cancellationToken);
            if (flow.Status != FlowStatus.Unknown)
            {
                continue;
            }

            LogRecovering(job.Id, job.State.ToWire());
            if (job.State == JobState.Pending)
            {
                await launcher.StartAsync(job, cancellationToken);
            }
            else
            {
                await launcher.ResumeAsync(job, cancellationToken);
            }

            if (job.CancelRequestedAt is not null)
            {
                try
                {
                    await launcher.CancelAsync(job.Id, cancellationToken);
                    LogCancelledAgain(job.Id, job.CancelRequestedBy);
                }
                catch (Exception failure) when (!cancellationToken.IsCancellationRequested)
                {
                    // The sandbox still starts; the job's message keeps its Cancel button for another try.
                    LogNotCancelledAgain(failure, job.Id);
                }
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({State}) had no workflow on the sandbox's Temporal stand-in; starting it again")]
    private partial void LogRecovering(string jobId, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} had been cancelled by {UserId} before the sandbox stopped; cancelled its new workflow")]
    private partial void LogCancelledAgain(string jobId, string? userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not cancel the new workflow of job {JobId}, whose cancel was recorded before the sandbox stopped")]
    private partial void LogNotCancelledAgain(Exception failure, string jobId);
}
