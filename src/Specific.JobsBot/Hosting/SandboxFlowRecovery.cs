using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Hosting;

/// <summary>
/// The sandbox's Temporal stand-in keeps its workflows in memory, so a restarted sandbox has lost the workflow of every
/// job that had not ended. On start this gives each such job its workflow again: a pending job starts, a queued or
/// running one resumes (its flow re-attaches to the Kubernetes Job, or ends it failed when the Job is gone; it never
/// creates a second one). A real Temporal server keeps workflows, so only the sandbox registers this.
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
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({State}) had no workflow on the sandbox's Temporal stand-in; starting it again")]
    private partial void LogRecovering(string jobId, string state);
}
