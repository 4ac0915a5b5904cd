using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Storage;
using Specific.JobsBot.Approvals;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Interactions;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Work;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.FrontDoor;

/// <summary>
/// Answers <c>/specific …</c> within Slack's 3 seconds: parse, validate against what exists, reply privately, and
/// leave recording, starting and Web API calls to the <see cref="FrontDoorQueue"/>. Returns null for an empty 200.
/// </summary>
public sealed class SlashCommandHandler(
    RunJobValidator validator,
    RunGate gate,
    AccessPolicy policy,
    AuditTrail audit,
    IAuditLog auditLog,
    JobCanceller canceller,
    IJobStore jobs,
    JobLogReader logReader,
    JobLister lister,
    LogAccess logAccess,
    FrontDoorQueue queue,
    OncePerRequest once,
    NotifySettings notify,
    TimeProvider clock,
    TaskLister taskLister)
{
    /// <summary>How long a log answer may take inside the request; past it the answer follows through response_url.</summary>
    public static readonly TimeSpan LogReadBudget = TimeSpan.FromSeconds(2);

    public async Task<SlackMessage?> HandleAsync(SlashCommand slash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slash);
        return JobCommandParser.Parse(slash.Text) switch
        {
            HelpCommand => SlackMessage.Ephemeral(JobCommandUsage.Text),
            InvalidCommand invalid => JobCommandUsage.Problem(invalid.Problem),
            OpenRunModalCommand => OpenModal(slash),
            RunJobCommand run => await RunAsync(slash, new RunJobDraft(run.Service, run.Environment, run.Name, run.Command, run.Timeout), cancellationToken),
            RunTaskCommand task => await RunAsync(slash, new RunJobDraft(task.Service, task.Environment, task.Name, null, task.Timeout, task.Task), cancellationToken),
            ListTasksCommand tasks => taskLister.Answer(tasks),
            ListJobsCommand list => await ListAsync(slash, list, cancellationToken),
            JobLogsCommand logsOf => await LogsAsync(slash, logsOf, cancellationToken),
            CancelJobCommand cancel => await CancelAsync(slash, cancel.JobId, cancellationToken),
            AuditCommand auditOf => await AuditAsync(slash, auditOf, cancellationToken),
            NotifyCommand setting => await NotifyAsync(slash, setting, cancellationToken),
            var other => throw new System.Diagnostics.UnreachableException($"The grammar produced {other.GetType().Name}, which has no handler."),
        };
    }

    private static JobOrigin OriginOf(SlashCommand slash) =>
        new(JobOrigin.Slack, slash.TeamId, slash.ChannelId, slash.UserId, slash.UserName);

    private static ReplyTarget ReplyTargetOf(SlashCommand slash) => new(slash.ResponseUrl, slash.ChannelId, slash.UserId);

    private static Actor ActorOf(SlashCommand slash) => new(slash.UserId, slash.ChannelId, slash.TeamId);

    /// <summary>What the person typed, as the audit trail keeps it.</summary>
    private static string CommandTextOf(SlashCommand slash) => $"{slash.Command} {slash.Text}".Trim();

    /// <summary>One key per invocation: a Slack retry of the same command carries the same trigger_id.</summary>
    private static string? IdempotencyKey(SlashCommand slash) =>
        slash.TriggerId is { } trigger ? $"slack:command:{slash.TeamId}:{trigger}"
        : slash.ResponseUrl is { } url ? $"slack:command:{slash.TeamId}:{url}"
        : null;

    /// <summary>
    /// Queues the work once per invocation without waiting on storage: <paramref name="queued"/> when it was queued,
    /// an empty 200 (null) for a retry or a replay, which has no effect, and <paramref name="busy"/> (or a generic busy
    /// reply) when the queue is full.
    /// </summary>
    private SlackMessage? EnqueueOnce(
        SlashCommand slash,
        string description,
        Func<IServiceProvider, CancellationToken, Task> runAsync,
        SlackMessage? queued,
        string? jobId = null,
        SlackMessage? busy = null) =>
        once.TryEnqueue(IdempotencyKey(slash), description, ReplyTargetOf(slash), runAsync, jobId) switch
        {
            OnceOutcome.Queued => queued,
            OnceOutcome.Repeat => null,
            _ => busy ?? Busy(),
        };

    private static SlackMessage Busy() =>
        SlackMessage.Ephemeral(":hourglass: The bot is busy right now and started nothing. Try again in a moment.");

    private SlackMessage? OpenModal(SlashCommand slash)
    {
        if (slash.TriggerId is not { } triggerId)
        {
            return JobCommandUsage.Problem("Slack sent no trigger_id, so the form cannot open. Type the whole command instead.");
        }

        var metadata = new JobModalMetadata(slash.ChannelId, validator.DefaultEnvironment);
        var target = ReplyTargetOf(slash);
        return EnqueueOnce(
            slash,
            "open the run modal",
            (services, token) => services.GetRequiredService<JobModalOpener>().OpenAsync(triggerId, metadata, prefill: null, target, token),
            queued: null);
    }

    private async Task<SlackMessage?> RunAsync(SlashCommand slash, RunJobDraft run, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(run, OriginOf(slash), rerunOf: null, cancellationToken);
        if (validation.Request is not { } request)
        {
            return JobCommandUsage.Problem(validation.Describe());
        }

        var attempt = new RunAttempt(request, ActorOf(slash), CommandTextOf(slash));
        var target = ReplyTargetOf(slash);
        switch (await gate.CheckAsync(attempt, RunGateMoment.BeforeStart, cancellationToken))
        {
            case RunRefused refused:
                return SlackMessage.Ephemeral(refused.Refusal);
            case RunOutOfReach outOfReach:
                return SlackMessage.Ephemeral(outOfReach.Refusal);
            case RunNeedsConfirmation when slash.TriggerId is null:
                return JobCommandUsage.Problem("This job must be confirmed in a form, and Slack sent no trigger_id to open one. Try again.");
            case RunNeedsConfirmation needed:
                // Nothing is recorded yet: the run form opens filled in, with the reasons and a field to type the service name.
                var metadata = new JobModalMetadata(slash.ChannelId, request.Environment);
                var triggerId = slash.TriggerId!;
                return EnqueueOnce(
                    slash,
                    "open the confirmation form",
                    (services, token) =>
                    {
                        // Recorded with the work, so a retried request that has no effect leaves no second entry either.
                        services.GetRequiredService<RunGate>().RecordAsked(attempt, needed, "A form asks for the service name.");
                        return services.GetRequiredService<JobModalOpener>().OpenAsync(
                            triggerId, metadata, new JobModalPrefill(request.Service, request.Name, request.Command, run.Timeout) { Task = request.Task }, target, needed.Reasons, token);
                    },
                    SlackMessage.Ephemeral(
                        $":lock: Nothing has started yet: confirm in the form that just opened by typing `{request.Service}`." +
                        (needed.Verdict.Migration is { } migration ? $"\n{migration.Warning}" : "")));
            case RunNeedsApproval approval:
                // Nothing is recorded here: the queue posts the request, stores it, and tells the person where it waits.
                return EnqueueOnce(
                    slash,
                    $"ask for approval of a job on {request.Service} in {request.Environment}",
                    (services, token) => services.GetRequiredService<ApprovalRequester>().RequestAsync(attempt, approval, target, token),
                    queued: null);
            case RunAllowed allowed:
                return EnqueueOnce(
                    slash,
                    $"start a job on {request.Service} in {request.Environment}",
                    (services, token) => services.GetRequiredService<JobStarter>().StartAsync(allowed.Request, target, allowed.AllowedBy, token),
                    SlackMessage.Ephemeral(JobReplies.Starting(request)));
            case var other:
                throw new System.Diagnostics.UnreachableException($"The run gate answered {other.GetType().Name}, which the slash command does not handle.");
        }
    }

    private async Task<SlackMessage> AuditAsync(SlashCommand slash, AuditCommand command, CancellationToken cancellationToken)
    {
        var environment = string.IsNullOrWhiteSpace(command.Environment) ? validator.DefaultEnvironment : command.Environment.Trim();
        if (!validator.EnvironmentNames().Contains(environment, StringComparer.Ordinal))
        {
            return JobCommandUsage.Problem($"Unknown environment `{JobCommandParser.Shorten(environment)}`. Configured: {string.Join(", ", validator.EnvironmentNames().Select(e => $"`{e}`"))}.");
        }

        var actor = ActorOf(slash);
        var access = await policy.DecideAuditAsync(environment, actor, cancellationToken);
        if (!access.Allowed)
        {
            var refusal = access.RefusalText($"read the audit trail of `{environment}`");
            audit.Record(new GuardedAttempt
            {
                Action = AuditAction.Audit, Outcome = AuditOutcome.Refused, Actor = actor,
                Environment = environment, Service = command.Service,
                CommandText = CommandTextOf(slash), Rule = access.Rule, Detail = refusal,
            });
            return SlackMessage.Ephemeral(refusal);
        }

        var entries = await auditLog.ListAsync(new AuditQuery(environment, command.Service, AuditReplies.Limit), cancellationToken);
        audit.Record(new GuardedAttempt
        {
            Action = AuditAction.Audit, Outcome = AuditOutcome.Allowed, Actor = actor,
            Environment = environment, Service = command.Service,
            CommandText = CommandTextOf(slash), Rule = access.Rule, Detail = $"Shown {entries.Count} entries.",
        });
        return AuditReplies.Render(entries, environment, command.Service, clock.GetUtcNow());
    }

    private Task<SlackMessage?> ListAsync(SlashCommand slash, ListJobsCommand list, CancellationToken cancellationToken)
    {
        // Each row is redacted by its job's Secret values, which may take a moment to read.
        var actor = ActorOf(slash);
        return AnswerSoonAsync(
            slash, lister, "list jobs", ":hourglass: Listing jobs takes a moment; the answer follows here.",
            (jobLister, token) => jobLister.AnswerAsync(list, actor, token), cancellationToken);
    }

    /// <summary>One small write or read; a slow store must not cost Slack's 3 seconds, so the answer may follow through response_url.</summary>
    private Task<SlackMessage?> NotifyAsync(SlashCommand slash, NotifyCommand command, CancellationToken cancellationToken) =>
        AnswerSoonAsync(
            slash, notify, "save or show a notification setting", ":hourglass: The store is slow; your notification setting follows here.",
            (settings, token) => settings.AnswerAsync(command, slash.UserId, token), cancellationToken);

    private async Task<SlackMessage?> LogsAsync(SlashCommand slash, JobLogsCommand command, CancellationToken cancellationToken)
    {
        if (command.AsFile)
        {
            return await UploadLogAsync(slash, command.JobId, cancellationToken);
        }

        var request = new LogReadRequest(command, ActorOf(slash), CommandTextOf(slash));
        return await AnswerSoonAsync(
            slash, logReader, $"read the log of {command.JobId}",
            $":hourglass: Reading the log of `{JobCommandParser.Shorten(command.JobId)}` takes a moment; the answer follows here.",
            (reader, token) => reader.AnswerAsync(request, token), cancellationToken);
    }

    /// <summary>
    /// A bounded read answered at once when it takes under <see cref="LogReadBudget"/>; a slow store must not cost
    /// Slack's 3 seconds, so past it the answer follows through response_url from the queue.
    /// </summary>
    private async Task<SlackMessage?> AnswerSoonAsync<TAnswerer>(
        SlashCommand slash, TAnswerer here, string description, string waiting,
        Func<TAnswerer, CancellationToken, Task<SlackMessage>> answer, CancellationToken cancellationToken)
        where TAnswerer : notnull
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(LogReadBudget);
        try
        {
            return await answer(here, budget.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var target = ReplyTargetOf(slash);
            return queue.TryEnqueue(
                description,
                async (services, token) =>
                {
                    var later = await answer(services.GetRequiredService<TAnswerer>(), token);
                    await services.GetRequiredService<SlackWebClient>().TellAsync(target, later, token);
                })
                ? SlackMessage.Ephemeral(waiting)
                : Busy();
        }
    }

    private async Task<SlackMessage?> UploadLogAsync(SlashCommand slash, string jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            return JobCommandUsage.Problem($"No job `{JobCommandParser.Shorten(jobId)}`. `/specific job list` shows recent jobs.");
        }

        var verdict = await logAccess.DecideAsync(job, ActorOf(slash), CommandTextOf(slash), cancellationToken);
        if (verdict.Refusal is { } refusal)
        {
            return SlackMessage.Ephemeral(refusal);
        }

        var target = ReplyTargetOf(slash);
        var where = job.Origin.ChannelId is { } channel && channel != slash.ChannelId
            ? $"into its thread in <#{channel}>; where it went follows here, privately"
            : "into the job's thread";
        return EnqueueOnce(
            slash,
            $"upload the full log of {job.Id}",
            (services, token) => services.GetRequiredService<FullLogUploader>().UploadAsync(job.Id, slash.ChannelId, threadTs: null, target, token),
            SlackMessage.Ephemeral($":page_facing_up: Uploading the whole log of `{job.Id}` as a file, {where}."),
            job.Id);
    }

    private async Task<SlackMessage?> CancelAsync(SlashCommand slash, string jobId, CancellationToken cancellationToken)
    {
        // The answer waits for the durable record: "Cancelling" must never be said of a cancel a crash could lose.
        var decision = await canceller.DecideAndRecordAsync(jobId, ActorOf(slash), CommandTextOf(slash), cancellationToken);
        if (!decision.Allowed)
        {
            return SlackMessage.Ephemeral(decision.Message);
        }

        var target = ReplyTargetOf(slash);
        return EnqueueOnce(
            slash,
            $"cancel job {jobId}",
            (services, token) => services.GetRequiredService<JobCanceller>().CancelAsync(jobId, target, token),
            SlackMessage.Ephemeral(decision.Message),
            jobId,
            busy: SlackMessage.Ephemeral(
                $":hourglass: The cancel of job `{jobId}` is recorded, but the bot is too busy to pass it on right now. "
                + $"Type `/specific job cancel {jobId}` again in a moment."));
    }
}
