using Specific.Slack.WebApi;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Storage;
using Specific.JobsBot.Interactions;

namespace Specific.JobsBot.Commands;

/// <summary>Whether a person may cancel a job, and what to tell them.</summary>
/// <param name="Allowed">True when the flow should be asked to cancel.</param>
public sealed record CancelDecision(bool Allowed, string Message);

/// <summary>
/// Who may cancel what, and the asking: for now only the person who started a job may cancel it (issue 6 brings
/// the full policy). Used by the <c>job cancel</c> command and the job message's Cancel button alike.
/// </summary>
public sealed partial class JobCanceller(
    IJobStore jobs, IJobLauncher launcher, SlackWebClient slack, ILogger<JobCanceller> logger)
{
    public async Task<CancelDecision> DecideAsync(string jobId, string userId, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            return new CancelDecision(false, $"No job `{JobCommandParser.Shorten(jobId)}`. `/specific job list` shows recent jobs.");
        }

        if (job.State.IsFinal())
        {
            return new CancelDecision(false, $"Job `{job.Id}` already {job.State.ToWire()}; there is nothing to cancel.");
        }

        if (!string.Equals(job.Origin.UserId, userId, StringComparison.Ordinal))
        {
            var starter = job.Origin.UserId is { } id ? $"<@{id}>" : "the person who started it";
            return new CancelDecision(false, $"Only {starter} can cancel job `{job.Id}`.");
        }

        return new CancelDecision(true, $"Cancelling job `{job.Id}` on `{job.Service}`…");
    }

    /// <summary>Asks the flow to cancel (after the decision allowed it); a failure is told to the person.</summary>
    public async Task CancelAsync(string jobId, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replyTo);
        try
        {
            await launcher.CancelAsync(jobId, cancellationToken);
            LogCancelRequested(jobId, replyTo.UserId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCancelFailed(ex, jobId);
            await slack.TellAsync(replyTo, $":x: Couldn't cancel job `{jobId}`: {ex.Message}", CancellationToken.None);
        }
    }

    /// <summary>The Cancel button: decide, then cancel or say why not, all after Slack has had its answer.</summary>
    public async Task DecideAndCancelAsync(string jobId, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replyTo);
        var decision = await DecideAsync(jobId, replyTo.UserId, cancellationToken);
        if (!decision.Allowed)
        {
            await slack.TellAsync(replyTo, $":no_entry: {decision.Message}", cancellationToken);
            return;
        }

        await CancelAsync(jobId, replyTo, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancel of job {JobId} requested by {UserId}")]
    private partial void LogCancelRequested(string jobId, string userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not cancel job {JobId}")]
    private partial void LogCancelFailed(Exception exception, string jobId);
}
