using Specific.Slack.WebApi;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Observability;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;

namespace Specific.JobsBot.Runs;

/// <summary>
/// Records a job the guardrails allowed and starts its flow, after Slack has had its answer. A job that cannot start is
/// marked failed with the reason and the person is told; nothing is left pending. The ThreadKeeper posts the job
/// message; when other jobs of the service are running, the job carries a note saying so.
/// </summary>
public sealed partial class JobStarter(
    IJobStore jobs, IJobLauncher launcher, SlackWebClient slack, AuditTrail audit, JobRequesters requesters, TimeProvider clock,
    ILogger<JobStarter> logger)
{
    /// <summary>How many of the other running jobs the concurrency note names.</summary>
    public const int NamedInNote = 5;

    public Task StartAsync(JobRequest request, ReplyTarget replyTo, CancellationToken cancellationToken) =>
        StartAsync(request, replyTo, allowedBy: null, cancellationToken);

    /// <summary>Records and starts the job; <paramref name="allowedBy"/> is the rule that let it run, for the audit trail.</summary>
    public async Task StartAsync(JobRequest request, ReplyTarget replyTo, string? allowedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(replyTo);
        var actor = new Actor(request.Origin.UserId ?? replyTo.UserId, request.Origin.ChannelId, request.Origin.TeamId);
        var action = request.RerunOf is null ? AuditAction.Run : AuditAction.Rerun;
        JobRecord job;
        try
        {
            job = await jobs.CreateAsync(request, cancellationToken);
        }
        catch (ServiceBusyException busy)
        {
            // Another start won the race for a run-alone service between the front door's look and this write.
            var rule = $"{GuardrailsOptions.Section}:Environments:{request.Environment}:Services:{request.Service}:ExclusiveRun";
            var refusal = $":no_entry: `{request.Service}` in `{request.Environment}` runs one job at a time, and job `{busy.Running.Id}` is still " +
                          $"{busy.Running.State.ToWire()}. Nothing was started; wait for it to end, or cancel it with `/specific job cancel {busy.Running.Id}`.";
            audit.Record(new GuardedAttempt
            {
                Action = action, Outcome = AuditOutcome.Refused, Actor = actor,
                Environment = request.Environment, Service = request.Service,
                CommandText = request.Command, Rule = rule, Detail = refusal,
            });
            await TellAsync(replyTo, refusal);
            return;
        }
        catch (Exception ex)
        {
            LogCreateFailed(ex, request.Service, request.Environment);
            await TellAsync(replyTo, $":x: Couldn't record the job on `{request.Service}` ({ex.Message}). Nothing was started.");
            return;
        }

        using var scope = JobLogScope.Begin(logger, job.Id);
        // If the thread cannot be written later (the bot removed mid-job), this is how the person is told.
        requesters.Remember(job.Id, replyTo);
        audit.Record(new GuardedAttempt
        {
            Action = action, Outcome = AuditOutcome.Allowed, Actor = actor,
            Environment = job.Environment, Service = job.Service, JobId = job.Id,
            CommandText = job.Command, Rule = allowedBy,
            Detail = job.Task is { } task ? $"Started job {job.Id}, the saved task {task}." : $"Started job {job.Id}.",
        });
        try
        {
            await launcher.StartAsync(job, cancellationToken);
            LogStarted(job.Id, job.Service, job.Environment);
            await NoteOthersRunningAsync(job, cancellationToken);
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

    /// <summary>The seed warns that concurrent jobs share state: the job's message says which others of its service are running.</summary>
    private async Task NoteOthersRunningAsync(JobRecord job, CancellationToken cancellationToken)
    {
        try
        {
            var others = (await jobs.ListAsync(
                    new JobQuery(job.Service, UnfinishedOnly: true, Limit: NamedInNote + 1, Environment: job.Environment), cancellationToken))
                .Where(other => other.Id != job.Id)
                .ToList();
            if (others.Count == 0)
            {
                return;
            }

            var named = string.Join(", ", others.Take(NamedInNote).Select(o => $"`{o.Id}`"));
            var more = others.Count > NamedInNote ? " and more" : "";
            var note = others.Count == 1
                ? $":twisted_rightwards_arrows: Another job of `{job.Service}` is running in `{job.Environment}` ({named}). Jobs may run at the same time: mind shared state, such as data both of them change."
                : $":twisted_rightwards_arrows: {others.Count}{(more.Length > 0 ? "+" : "")} other jobs of `{job.Service}` are running in `{job.Environment}` ({named}{more}). Jobs may run at the same time: mind shared state, such as data they all change.";
            await jobs.AddDetailsAsync(job.Id, new JobDetails(Notes: [note]), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The note is a courtesy; the job runs without it.
            LogNoteFailed(ex, job.Id);
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

    private Task TellAsync(ReplyTarget replyTo, string text) => slack.TellOrLogAsync(replyTo, text, logger, "about a job that did not start");

    [LoggerMessage(Level = LogLevel.Information, Message = "Started job {JobId} on {Service} in {Environment}")]
    private partial void LogStarted(string jobId, string service, string environment);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record a job on {Service} in {Environment}")]
    private partial void LogCreateFailed(Exception exception, string service, string environment);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not start job {JobId}; marking it failed")]
    private partial void LogStartFailed(Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not mark job {JobId} failed after a failed start")]
    private partial void LogMarkFailedFailed(Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not add the concurrency note to job {JobId}")]
    private partial void LogNoteFailed(Exception exception, string jobId);
}
