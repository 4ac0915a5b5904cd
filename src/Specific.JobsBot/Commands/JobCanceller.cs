using Specific.Slack.WebApi;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;

namespace Specific.JobsBot.Commands;

/// <summary>Whether a person may cancel a job, and what to tell them (a refusal carries its own emoji).</summary>
/// <param name="Allowed">True when the flow should be asked to cancel.</param>
public sealed record CancelDecision(bool Allowed, string Message);

/// <summary>
/// Who may cancel what, and the asking: the person who started a job, or an admin of its environment
/// (<see cref="AccessPolicy.DecideCancelAsync"/>). Used by the <c>job cancel</c> command and the job message's Cancel
/// button alike; every decision on a job that exists goes to the audit trail. An allowed cancel is recorded in the job
/// store before anyone is told "Cancelling", so a crash right after cannot lose it: a restart delivers it.
/// </summary>
public sealed partial class JobCanceller(
    IJobStore jobs,
    IJobLauncher launcher,
    SlackWebClient slack,
    AccessPolicy policy,
    AuditTrail audit,
    TimeProvider time,
    ILogger<JobCanceller> logger)
{
    /// <summary>Decides whether <paramref name="actor"/> may cancel the job and, when allowed, records the cancel durably.</summary>
    public async Task<CancelDecision> DecideAndRecordAsync(string jobId, Actor actor, string commandText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            return new CancelDecision(false, $":no_entry: No job `{JobCommandParser.Shorten(jobId)}`. `/specific job list` shows recent jobs.");
        }

        if (job.State.IsFinal())
        {
            var ended = $":no_entry: Job `{job.Id}` already {job.State.ToWire()}; there is nothing to cancel.";
            audit.Record(new GuardedAttempt
            {
                Action = AuditAction.Cancel, Outcome = AuditOutcome.Refused, Actor = actor,
                Environment = job.Environment, Service = job.Service, JobId = job.Id,
                CommandText = commandText, Rule = "job already ended", Detail = ended,
            });
            return new CancelDecision(false, ended);
        }

        var access = await policy.DecideCancelAsync(job, actor, cancellationToken);
        if (!access.Allowed)
        {
            var refusal = access.RefusalText($"cancel job `{job.Id}`");
            audit.Record(new GuardedAttempt
            {
                Action = AuditAction.Cancel, Outcome = AuditOutcome.Refused, Actor = actor,
                Environment = job.Environment, Service = job.Service, JobId = job.Id,
                CommandText = commandText, Rule = access.Rule, Detail = refusal,
            });
            return new CancelDecision(false, refusal);
        }

        audit.Record(new GuardedAttempt
        {
            Action = AuditAction.Cancel, Outcome = AuditOutcome.Allowed, Actor = actor,
            Environment = job.Environment, Service = job.Service, JobId = job.Id,
            CommandText = commandText, Rule = access.Rule, Detail = access.Reason,
        });
        return await RecordAsync(job, actor.UserId, cancellationToken);
    }

    /// <summary>Records the cancel in the job store; only a recorded cancel may be acknowledged.</summary>
    private async Task<CancelDecision> RecordAsync(JobRecord job, string userId, CancellationToken cancellationToken)
    {
        JobRecord? recorded;
        try
        {
            recorded = await jobs.RequestCancelAsync(job.Id, userId, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRecordFailed(ex, job.Id);
            return new CancelDecision(false,
                $":x: Couldn't record the cancel of job `{job.Id}` ({ex.Message}), so nothing was cancelled. Try again in a moment.");
        }

        if (recorded is null || recorded.State.IsFinal())
        {
            var state = recorded?.State.ToWire() ?? "gone";
            return new CancelDecision(false, $":no_entry: Job `{job.Id}` already {state}; there is nothing to cancel.");
        }

        return new CancelDecision(true, $"Cancelling job `{job.Id}` on `{job.Service}`…");
    }

    /// <summary>Asks the flow to cancel (after the cancel was recorded); a failure is told to the person.</summary>
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
            await slack.TellAsync(
                replyTo,
                $":x: Couldn't pass the cancel of job `{jobId}` on to its flow: {ex.Message}. The cancel is recorded and is "
                + "delivered when the bot next starts; to stop it sooner, try again in a moment.",
                CancellationToken.None);
        }
    }

    /// <summary>The Cancel button: decide, then cancel or say why not, all after Slack has had its answer.</summary>
    public async Task DecideAndCancelAsync(string jobId, Actor actor, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replyTo);
        var decision = await DecideAndRecordAsync(jobId, actor, "Cancel button", cancellationToken);
        if (!decision.Allowed)
        {
            await slack.TellAsync(replyTo, decision.Message, cancellationToken);
            return;
        }

        await CancelAsync(jobId, replyTo, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancel of job {JobId} requested by {UserId}")]
    private partial void LogCancelRequested(string jobId, string userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the cancel of job {JobId}; nothing was acknowledged")]
    private partial void LogRecordFailed(Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not cancel job {JobId}")]
    private partial void LogCancelFailed(Exception exception, string jobId);
}
