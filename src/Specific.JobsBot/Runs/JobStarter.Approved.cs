using Specific.Jobs.Domain;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Runs;

/// <summary>The start of an approved run, which may be asked more than once (after a crash, the approval sweep asks again).</summary>
public sealed partial class JobStarter
{
    /// <summary>
    /// Starts an approved run under the job id the approval recorded (<see cref="JobRequest.JobId"/>): records and starts
    /// it the first time; a later call finds the job and only starts its flow if it is still pending (the engines refuse a
    /// second flow of one job), so the job is recorded at most once. Returns the job as it is now, or null when it could
    /// not be recorded (the requester was told why).
    /// </summary>
    public async Task<JobRecord?> StartApprovedAsync(JobRequest request, ReplyTarget replyTo, string? allowedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.JobId is not { Length: > 0 } jobId)
        {
            throw new ArgumentException("An approved run carries the job id its approval recorded.", nameof(request));
        }

        if (await jobs.GetAsync(jobId, cancellationToken) is not { } existing)
        {
            await StartAsync(request, replyTo, allowedBy, cancellationToken);
            return await jobs.GetAsync(jobId, cancellationToken);
        }

        if (existing.State == JobState.Pending)
        {
            // Recorded before a crash, perhaps never started: starting again is refused by the engine if it did start.
            await launcher.StartAsync(existing, cancellationToken);
        }

        return existing;
    }
}
