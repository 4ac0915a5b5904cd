using Specific.Jobs.Domain;
using Specific.JobsBot.Approvals;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Home;
using Specific.JobsBot.Interactions;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Threads;
using Specific.JobsBot.Work;
using Specific.Slack.Payloads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.FrontDoor;

/// <summary>What to answer an interaction with: an empty 200, or a view_submission response.</summary>
public sealed record InteractionAnswer(ViewSubmissionResponse? Response)
{
    public static InteractionAnswer Empty { get; } = new((ViewSubmissionResponse?)null);
}

/// <summary>
/// Answers button clicks and modal submissions within Slack's 3 seconds. A submission is validated and checked against
/// the guardrails in the request (its errors, and a confirmation field it must show, come back in the answer);
/// everything else, and every Web API call, goes to the queue.
/// </summary>
public sealed class InteractionHandler(
    RunJobValidator validator,
    RunGate gate,
    JobModalOpener modals,
    OncePerRequest once,
    FrontDoorQueue queue)
{
    /// <summary>What a submission whose state Slack sent in another shape is told, under the command field.</summary>
    public const string UnreadableForm =
        "Slack sent this form without answers the bot can read, so nothing was started. Close it and run /specific job run again.";

    public async Task<InteractionAnswer> HandleAsync(InteractionPayload payload, CancellationToken cancellationToken) =>
        payload switch
        {
            ViewSubmissionPayload { View.CallbackId: JobModal.CallbackId } submission => await SubmitAsync(submission, cancellationToken),
            ShortcutPayload { CallbackId: JobModal.ShortcutCallbackId } shortcut => OpenFromShortcut(shortcut),
            BlockActionsPayload actions => Act(actions),
            _ => InteractionAnswer.Empty,
        };

    private async Task<InteractionAnswer> SubmitAsync(ViewSubmissionPayload submission, CancellationToken cancellationToken)
    {
        var view = submission.View;
        var metadata = JobModal.ReadMetadata(view);
        var user = submission.User;
        if (metadata is null || user is null)
        {
            return Errors(new Dictionary<string, string> { [JobModal.CommandBlock] = "This form lost track of its channel. Close it and run /specific job run again." });
        }

        if (view.State.Problem is not null)
        {
            // Slack always sends the inputs' values; without them there is nothing safe to start.
            return Errors(new Dictionary<string, string> { [JobModal.CommandBlock] = UnreadableForm });
        }

        if (JobModal.ReadChannel(view, metadata) is not { Length: > 0 } channelId)
        {
            return Errors(new Dictionary<string, string> { [JobModal.ChannelBlock] = "Pick the channel where the job's message and its thread should go." });
        }

        var (draft, serviceBlock) = JobModal.ReadSubmission(view, metadata);
        var origin = new JobOrigin(JobOrigin.Slack, submission.Team?.Id ?? user.TeamId, channelId, user.Id, user.Username ?? user.Name);
        var validation = await validator.ValidateAsync(draft, origin, metadata.RerunOf, cancellationToken);
        if (validation.Request is not { } request)
        {
            return Errors(JobModal.ErrorsByBlock(validation, serviceBlock, JobModal.TaskBlockIn(view)));
        }

        var attempt = new RunAttempt(
            request, new Actor(user.Id, channelId, origin.TeamId), request.Task is { } task ? $"task {task}: {request.Command}" : request.Command);
        var target = new ReplyTarget(ResponseUrl: null, channelId, user.Id);
        var outcome = await gate.CheckAsync(attempt, RunGateMoment.BeforeStart, cancellationToken);
        if (outcome is RunNeedsConfirmation needed)
        {
            if (!metadata.HasAsked(needed.Reasons))
            {
                // Nothing is recorded yet: the same form comes back with the reasons and a field to type the service name.
                gate.RecordAsked(attempt, needed, "The form asks for the service name.");
                var model = await modals.BuildModelAsync(
                    metadata with { Environment = request.Environment },
                    new JobModalPrefill(request.Service, request.Name, request.Command, draft.Timeout) { Task = request.Task }, needed.Reasons, cancellationToken);
                return new InteractionAnswer(ViewSubmissionResponse.Update(
                    JobModal.Render(model with { Metadata = model.Metadata.Asking(needed.Reasons), Channel = channelId })));
            }

            outcome = gate.Confirm(attempt, needed, JobModal.ReadConfirmation(view)?.Trim());
            if (outcome is RunRefused mistyped)
            {
                return Errors(new Dictionary<string, string> { [JobModal.ConfirmBlock] = mistyped.Refusal });
            }
        }

        return outcome switch
        {
            RunRefused refused => Refuse(refused, request, serviceBlock, target),
            // No private reply in the channel: the bot cannot post there, which is the problem.
            RunOutOfReach outOfReach => Errors(new Dictionary<string, string>
            {
                [metadata.PickChannel == true ? JobModal.ChannelBlock : JobModal.CommandBlock] = outOfReach.Problem,
            }),
            RunAllowed allowed => Start(allowed, view, target),
            RunNeedsApproval approval => AskApproval(attempt, approval, view, target),
            var other => throw new System.Diagnostics.UnreachableException($"The run gate answered {other.GetType().Name}, which the run form does not handle."),
        };
    }

    /// <summary>
    /// The "Run a job" shortcut opens the run modal with a channel field: a shortcut names no channel. Its trigger_id is
    /// the only answer Slack allows, so a retry of the same shortcut (same action_ts) opens nothing twice.
    /// </summary>
    private InteractionAnswer OpenFromShortcut(ShortcutPayload shortcut)
    {
        if (shortcut.User is not { } user || shortcut.TriggerId is not { } triggerId)
        {
            return InteractionAnswer.Empty;
        }

        OpenRunForm(user.Id, triggerId, $"slack:shortcut:{JobModal.ShortcutCallbackId}:{user.Id}:{shortcut.ActionTs ?? triggerId}", "the shortcut");
        return InteractionAnswer.Empty;
    }

    /// <summary>
    /// The run modal with its Post in channel field, as the shortcut opens it, for a click that names no conversation
    /// (the shortcut, the Home tab's Run a job button). <paramref name="key"/> keeps a retry from opening it twice.
    /// </summary>
    private void OpenRunForm(string userId, string triggerId, string key, string from)
    {
        // No channel and no response_url: if the form cannot open, the person is told in their direct message with the app.
        var target = new ReplyTarget(ResponseUrl: null, ChannelId: null, userId);
        var metadata = JobModalMetadata.FromShortcut(validator.DefaultEnvironment);
        once.TryEnqueue(
            key,
            $"open the run modal from {from}",
            target,
            (services, token) => services.GetRequiredService<JobModalOpener>().OpenAsync(triggerId, metadata, prefill: null, target, token));
    }

    /// <summary>The refusal beside the field it concerns, and privately in the channel where its mentions can be clicked.</summary>
    private InteractionAnswer Refuse(RunRefused refused, JobRequest request, string serviceBlock, ReplyTarget target)
    {
        queue.TryEnqueue("tell why a run was refused", (services, token) => services.GetRequiredService<SlackWebClient>().TellAsync(target, refused.Refusal, token));
        var blockId = refused.Verdict.NotASavedTask is not null ? JobModal.CommandBlock
            : refused.Verdict.Decision.Allowed ? serviceBlock : JobModal.EnvironmentBlock;
        return Errors(new Dictionary<string, string> { [blockId] = PlainRefusal(refused.Verdict, request) });
    }

    private InteractionAnswer Start(RunAllowed allowed, ViewPayload view, ReplyTarget target)
    {
        var request = allowed.Request;
        // A double click on Run, or a Slack retry, submits the same view with the same hash.
        return once.TryEnqueue(
            $"slack:view:{view.Id}:{view.Hash}",
            $"start a job on {request.Service} in {request.Environment}",
            target,
            (services, token) => services.GetRequiredService<JobStarter>().StartAsync(request, target, allowed.AllowedBy, token)) == OnceOutcome.Busy
            ? Errors(new Dictionary<string, string> { [JobModal.CommandBlock] = "The bot is busy right now and started nothing. Try again in a moment." })
            : InteractionAnswer.Empty;
    }

    /// <summary>Closes the form; the queue posts the approval request and tells the person privately where it waits.</summary>
    private InteractionAnswer AskApproval(RunAttempt attempt, RunNeedsApproval approval, ViewPayload view, ReplyTarget target)
    {
        var request = approval.Request;
        return once.TryEnqueue(
            $"slack:view:{view.Id}:{view.Hash}",
            $"ask for approval of a job on {request.Service} in {request.Environment}",
            target,
            (services, token) => services.GetRequiredService<ApprovalRequester>().RequestAsync(attempt, approval, target, token)) == OnceOutcome.Busy
            ? Errors(new Dictionary<string, string> { [JobModal.CommandBlock] = "The bot is busy right now and asked nobody for approval. Try again in a moment." })
            : InteractionAnswer.Empty;
    }

    /// <summary>A refusal for a modal field: plain text (no mentions render there), with the rule.</summary>
    private static string PlainRefusal(RunVerdict verdict, JobRequest request) =>
        verdict.NotASavedTask is { } notATask ? notATask.Plain
        : verdict.Decision.Allowed
            ? $"{request.Service} runs one job at a time and job {verdict.Busy!.Id} is still {verdict.Busy.State.ToWire()}. Wait for it, or cancel it. (Rule: {verdict.Rule})"
            : $"You can't run jobs on {request.Service} in {request.Environment}. Rule: {verdict.Rule}. The message in the channel says who can grant access.";

    private static InteractionAnswer Errors(IReadOnlyDictionary<string, string> errors) =>
        new(ViewSubmissionResponse.WithErrors(errors.ToDictionary(e => e.Key, e => e.Value.Replace("`", "", StringComparison.Ordinal))));

    private InteractionAnswer Act(BlockActionsPayload payload)
    {
        if (payload.User is not { } user)
        {
            return InteractionAnswer.Empty;
        }

        var channelId = payload.Channel?.Id ?? payload.Container?.ChannelId;
        var target = new ReplyTarget(payload.ResponseUrl, channelId, user.Id);
        var actor = new Actor(user.Id, channelId, payload.Team?.Id ?? user.TeamId);
        foreach (var action in payload.Actions)
        {
            if (action.ActionId == HomeTab.RunJobAction && payload.TriggerId is { } homeTrigger)
            {
                OpenRunForm(user.Id, homeTrigger, $"slack:action:{action.ActionId}:{user.Id}:{action.ActionTs ?? homeTrigger}", "the Home tab");
                continue;
            }

            if (action.ActionId == JobModal.EnvironmentAction && payload.View is { } view && action.SelectedOption is { } chosen)
            {
                // Idempotent (a views.update guarded by the view's hash), so no ledger entry is needed.
                queue.TryEnqueue(
                    "follow the modal's environment",
                    (services, token) => services.GetRequiredService<JobModalOpener>().SwitchEnvironmentAsync(view, chosen.Value, token));
                continue;
            }

            if (action.ActionId == JobModal.TaskAction && payload.View is { } taskView)
            {
                // As the environment's: a views.update guarded by the view's hash.
                queue.TryEnqueue(
                    "show the picked task's command in the modal",
                    (services, token) => services.GetRequiredService<JobModalOpener>().FollowTaskAsync(taskView, token));
                continue;
            }

            if (ApprovalActions.IsApprovalAction(action.ActionId) && action.Value is { Length: > 0 } approvalId)
            {
                // Approve, Deny, Withdraw: a double click is two payloads, and the store's compare-and-set lets one decide.
                var actionId = action.ActionId!;
                once.TryEnqueue(
                    $"slack:action:{actionId}:{user.Id}:{action.ActionTs ?? payload.TriggerId}",
                    $"decide approval request {approvalId}",
                    target,
                    (services, token) => services.GetRequiredService<ApprovalDecider>().DecideAsync(actionId, approvalId, actor, target, token));
                continue;
            }

            if (action.Value is not { Length: > 0 } jobId || action.ActionId is not (JobMessageActions.Cancel or JobMessageActions.Rerun or JobMessageActions.FullLog))
            {
                continue;
            }

            // A double click sends two payloads with distinct action_ts; a Slack retry repeats the same one.
            var key = $"slack:action:{action.ActionId}:{user.Id}:{action.ActionTs ?? payload.TriggerId}";
            if (WorkFor(action.ActionId, jobId, channelId, payload, target, actor) is { } work)
            {
                once.TryEnqueue(key, work.Description, target, work.RunAsync, work.JobId);
            }
        }

        return InteractionAnswer.Empty;
    }

    private static FrontDoorWork? WorkFor(string actionId, string jobId, string? channelId, BlockActionsPayload payload, ReplyTarget target, Actor actor)
    {
        switch (actionId)
        {
            case JobMessageActions.Cancel:
                return new FrontDoorWork(
                    $"cancel job {jobId}",
                    (services, token) => services.GetRequiredService<JobCanceller>().DecideAndCancelAsync(jobId, actor, target, token),
                    jobId);
            case JobMessageActions.Rerun when payload.TriggerId is { } triggerId && channelId is not null:
                return new FrontDoorWork(
                    $"open the re-run modal of {jobId}",
                    (services, token) => services.GetRequiredService<JobModalOpener>().OpenRerunAsync(triggerId, jobId, actor, target, token),
                    jobId);
            case JobMessageActions.FullLog when channelId is not null:
                // The button sits on the job message, whose ts is the thread's; a message inside a thread names its parent.
                var threadTs = payload.Container?.ThreadTs ?? payload.Message?.ThreadTs ?? payload.Container?.MessageTs ?? payload.Message?.Ts;
                return new FrontDoorWork(
                    $"upload the full log of {jobId}",
                    (services, token) => services.GetRequiredService<FullLogButton>().DecideAndUploadAsync(jobId, actor, channelId, threadTs, target, token),
                    jobId);
            default:
                return null;
        }
    }
}
