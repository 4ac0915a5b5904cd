using Specific.Slack.WebApi;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Observability;
using Specific.Jobs.Storage;
using Specific.JobsBot.Interactions;

namespace Specific.JobsBot.Commands;

/// <summary>
/// Records a validated job and starts its flow, after Slack has had its answer. A job that cannot start is marked
/// failed with the reason and the person is told; nothing is left pending. The ThreadKeeper posts the job message.
/// </summary>
public sealed partial class JobStarter(
    IJobStore jobs, IJobLauncher launcher, SlackWebClient slack, TimeProvider clock, ILogger<JobStarter> logger)
{
    public async Task StartAsync(JobRequest request, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        JobRecord job;
        try
        {
            job = await jobs.CreateAsync(request, cancellationToken);
        }
        catch (Exception ex)
        {
            LogCreateFailed(ex, request.Service, request.Environment);
            await TellAsync(replyTo, $":x: Couldn't record the job on `{request.Service}` ({ex.Message}). Nothing was started.");
            return;
        }

        using var scope = JobLogScope.Begin(logger, job.Id);
        try
        {
            await launcher.StartAsync(job, cancellationToken);
            LogStarted(job.Id, job.Service, job.Environment);
        }
        catch (Exception ex)
        {
            LogStartFailed(ex, job.Id);
            var reason = cancellationToken.IsCancellationRequested
                ? "The bot shut down before the job could start."
                : $"The job could not be started: {ex.Message}";
            await MarkFailedAsync(job.Id, reason);
            await TellAsync(replyTo, $":x: Job `{job.Id}` on `{job.Service}` could not start: {reason}");
        }
    }

    /// <summary>Moves the job to failed from whatever non-final state the failed start left it in.</summary>
    private async Task MarkFailedAsync(string jobId, string reason)
    {
        // Cleanup must outlive a cancelled request or a stopping host, so it does not take their token.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var current = await jobs.GetAsync(jobId, CancellationToken.None);
                if (current is null || current.State.IsFinal())
                {
                    return;
                }

                var result = await jobs.TryTransitionAsync(
                    jobId, current.State, new JobTransition(JobState.Failed, clock.GetUtcNow(), FailureReason: reason), CancellationToken.None);
                if (result.Applied || result.Job?.State.IsFinal() == true)
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                LogMarkFailedFailed(ex, jobId);
                return;
            }
        }
    }

    private async Task TellAsync(ReplyTarget replyTo, string text)
    {
        try
        {
            await slack.TellAsync(replyTo, text, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogReplyFailed(ex, replyTo.UserId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started job {JobId} on {Service} in {Environment}")]
    private partial void LogStarted(string jobId, string service, string environment);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record a job on {Service} in {Environment}")]
    private partial void LogCreateFailed(Exception exception, string service, string environment);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not start job {JobId}; marking it failed")]
    private partial void LogStartFailed(Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not mark job {JobId} failed after a failed start")]
    private partial void LogMarkFailedFailed(Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell {UserId} about a job that did not start")]
    private partial void LogReplyFailed(Exception exception, string userId);
}
