using Specific.Slack.WebApi;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Guardrails;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.Runs;

/// <summary>What the run modal opens with: the fields as a person typed them or as an earlier job had them.</summary>
/// <param name="Timeout">The time limit as typed (<c>30m</c>); null leaves the field empty, so the default applies.</param>
public sealed record JobModalPrefill(string? Service, string? Name, string? Command, string? Timeout = null)
{
    /// <summary>The values of a form being filled in.</summary>
    public static JobModalPrefill From(RunJobDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return new(draft.Service, draft.Name, draft.Command, draft.Timeout) { Task = draft.Task };
    }

    /// <summary>The saved task picked (a task of <see cref="Service"/>), as a re-run of a task's job has it.</summary>
    public string? Task { get; init; }
}

/// <summary>Opens the run modal (empty, or pre-filled for a re-run) and keeps its service menu in step with the environment.</summary>
public sealed partial class JobModalOpener(
    RunJobValidator validator, IJobStore jobs, SlackWebClient slack, RunGate gate, ILogger<JobModalOpener> logger,
    SavedTaskCatalog tasks, AccessPolicy policy)
{
    /// <summary>
    /// The trigger_id dies 3 s after the click and the queue has already spent some of that, so the service list gets
    /// a short budget; without it the modal still opens, with the service typed.
    /// </summary>
    public static readonly TimeSpan ServiceListBudget = TimeSpan.FromMilliseconds(1500);

    /// <summary>Opens the modal with the given pre-filled values.</summary>
    public Task OpenAsync(
        string triggerId, JobModalMetadata metadata, JobModalPrefill? prefill, ReplyTarget replyTo,
        CancellationToken cancellationToken) =>
        OpenAsync(triggerId, metadata, prefill, replyTo, confirmations: [], cancellationToken);

    /// <summary>Opens the modal pre-filled, with a confirmation field and its reasons when the guardrails ask for one.</summary>
    public async Task OpenAsync(
        string triggerId, JobModalMetadata metadata, JobModalPrefill? prefill, ReplyTarget replyTo,
        IReadOnlyList<ConfirmationReason> confirmations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(replyTo);
        ArgumentNullException.ThrowIfNull(confirmations);
        var model = await BuildModelAsync(
            metadata.Asking(confirmations), prefill ?? new JobModalPrefill(null, null, null), confirmations, cancellationToken);
        try
        {
            await slack.OpenViewAsync(triggerId, JobModal.Render(model), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogOpenFailed(ex);
            // Opened from the shortcut, there is no channel to answer in: the reply goes to their DM with the app.
            var text = $":x: Couldn't open the form ({ex.Message}). Type the command instead: `/specific job run <service> <command…>`.";
            await slack.TellAsync(replyTo, text, CancellationToken.None);
        }
    }

    /// <summary>
    /// Re-run: the job's service, environment, name and command, in a modal that remembers what it re-runs. The guardrails
    /// are asked again: a person who may not run there is told so instead, and a start that needs confirming asks again.
    /// </summary>
    public async Task OpenRerunAsync(string triggerId, string jobId, Actor actor, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(replyTo);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null || actor.ChannelId is null)
        {
            await slack.TellAsync(replyTo, $":x: No job `{JobCommandParser.Shorten(jobId)}` to re-run.", cancellationToken);
            return;
        }

        var origin = new JobOrigin(JobOrigin.Slack, actor.TeamId, actor.ChannelId, actor.UserId);
        // A task's job is re-run as the task is saved now; a task since removed leaves the job's own command.
        var command = job.Task is { } taskName && tasks.Find(job.Service, taskName) is { } task ? task.Command : job.Command;
        var attempt = new RunAttempt(
            new JobRequest(job.Service, job.Environment, command, job.Name, origin, job.Id) { Task = job.Task },
            actor, $"Re-run of {job.Id}: {(job.Task is { } named ? $"task {named}: " : "")}{command}");
        IReadOnlyList<ConfirmationReason> confirmations = [];
        switch (await gate.CheckAsync(attempt, RunGateMoment.BeforeRerunForm, cancellationToken))
        {
            case RunRefused refused:
                await slack.TellAsync(replyTo, refused.Refusal, cancellationToken);
                return;
            case RunOutOfReach outOfReach:
                // Not asked before the form today (see RunGate), but told if the gate ever does.
                await slack.TellAsync(replyTo, outOfReach.Refusal, cancellationToken);
                return;
            case RunNeedsConfirmation needed:
                gate.RecordAsked(attempt, needed, "The re-run form asks for the service name.");
                confirmations = needed.Reasons;
                break;
            case RunNeedsApproval:
                // The approval is never inherited: the form opens as for any run, and its submission passes the gate
                // again, which posts a new approval request.
                break;
        }

        var metadata = new JobModalMetadata(actor.ChannelId, job.Environment, RerunOf: job.Id);
        // The old job's limit, when one was recorded; an older job's form is left empty, so the default applies.
        var timeout = job.Timeout is { } limit ? TimeoutText.Format(limit) : null;
        await OpenAsync(triggerId, metadata, new JobModalPrefill(job.Service, job.Name, command, timeout) { Task = job.Task }, replyTo, confirmations, cancellationToken);
    }

    /// <summary>After the environment menu changed: the same modal with that environment's services.</summary>
    public async Task SwitchEnvironmentAsync(ViewPayload view, string environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (JobModal.ReadMetadata(view) is not { } metadata)
        {
            return;
        }

        // The confirmation field belongs to the environment it was asked for; the submission asks again if the new one needs it.
        await RenderAgainAsync(view, metadata, metadata with { Environment = environment, Asked = null }, cancellationToken);
    }

    /// <summary>
    /// After a saved task was picked: the same modal, whose command field now says what the task runs, so the person
    /// reads the command before starting it. A form that asks for a confirmation is left as it is (its reasons are not
    /// in the view to render again); its submission runs the task all the same.
    /// </summary>
    public async Task FollowTaskAsync(ViewPayload view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (JobModal.ReadMetadata(view) is not { Asked: null } metadata)
        {
            return;
        }

        await RenderAgainAsync(view, metadata, metadata, cancellationToken);
    }

    /// <summary>The form rendered again from what is in it now, under <paramref name="metadata"/>.</summary>
    private async Task RenderAgainAsync(ViewPayload view, JobModalMetadata shown, JobModalMetadata metadata, CancellationToken cancellationToken)
    {
        var (draft, _) = JobModal.ReadSubmission(view, shown);
        var model = await BuildModelAsync(metadata, JobModalPrefill.From(draft), [], cancellationToken);
        // A channel already picked (a form from the shortcut) stays picked.
        model = model with { Channel = JobModal.ReadChannel(view, shown) };
        try
        {
            await slack.UpdateViewAsync(view.Id, JobModal.Render(model), view.Hash, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A newer view (hash_conflict) or a closed modal: the submission is validated anyway.
            LogUpdateFailed(ex, view.Id);
        }
    }

    /// <summary>The modal's model: the environments, the service menu within a short budget, the values and what to confirm.</summary>
    public async Task<JobModalModel> BuildModelAsync(
        JobModalMetadata metadata, JobModalPrefill values, IReadOnlyList<ConfirmationReason> confirmations,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(values);
        var environments = validator.EnvironmentNames();
        IReadOnlyList<string>? services = null;
        string? problem;
        if (!environments.Contains(metadata.Environment))
        {
            problem = $"Environment {metadata.Environment} is not configured; pick another.";
        }
        else
        {
            (services, problem) = await validator.ListServicesAsync(metadata.Environment, cancellationToken, ServiceListBudget);
            if (services is null)
            {
                // Under a field of a form nobody has submitted yet: what to do, not that nothing started.
                problem += ". Type the service's name; it is checked when you run.";
            }
            else if (services is { Count: 0 })
            {
                problem = $"No service is deployed in {metadata.Environment} yet.";
            }
            else if (services is { Count: > Slack.BlockKit.BlockKitLimits.SelectOptions })
            {
                problem = $"{services.Count} services are deployed in {metadata.Environment}; type the one you want.";
            }
        }

        var offered = TasksOffered(metadata.Environment, services);
        return new JobModalModel(
            metadata, environments, services, problem?.Replace("`", "", StringComparison.Ordinal), values.Service, values.Name, values.Command,
            confirmations.Count == 0 ? null : confirmations, values.Timeout,
            Tasks: offered.Count == 0 ? null : offered, Task: values.Task,
            SavedTasksOnlyNote: SavedTasksOnlyNote(metadata.Environment, services, values.Service, offered));
    }

    /// <summary>The tasks offered in the environment, of its live services when those are known.</summary>
    private List<SavedTask> TasksOffered(string environment, IReadOnlyList<string>? services) =>
        tasks.List()
            .Where(task => task.OfferedIn(environment) && (services is null || services.Contains(task.Service, StringComparer.Ordinal)))
            .ToList();

    /// <summary>Which services here run saved tasks only, said under the free command field; null when none does.</summary>
    private string? SavedTasksOnlyNote(string environment, IReadOnlyList<string>? services, string? service, IReadOnlyList<SavedTask> offered)
    {
        var candidates = (services ?? []).Concat(offered.Select(task => task.Service)).Append(service ?? "")
            .Where(name => name.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var only = candidates.Where(name => policy.SavedTasksOnlyRule(environment, name) is not null).ToList();
        if (only.Count == 0)
        {
            return null;
        }

        var which = services is not null && only.Count == services.Count ? "every service" : only.Count <= 5 ? string.Join(", ", only) : $"{only.Count} services";
        return $"Only saved tasks run on {which} in {environment}: pick one under Saved task; a command typed here for it is refused.";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not open the run modal")]
    private partial void LogOpenFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not update run modal {ViewId} after an environment change")]
    private partial void LogUpdateFailed(Exception exception, string viewId);
}
