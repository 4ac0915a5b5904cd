using Specific.Jobs.Domain;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Hosting;
using Specific.JobsBot.Threads;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.Interactions;

/// <summary>What to answer an interaction with: an empty 200, or a view_submission response.</summary>
public sealed record InteractionAnswer(ViewSubmissionResponse? Response)
{
    public static InteractionAnswer Empty { get; } = new((ViewSubmissionResponse?)null);
}

/// <summary>
/// Answers button clicks and modal submissions within Slack's 3 seconds. A submission is validated in the request
/// (its errors must come back in the answer); everything else, and every Web API call, goes to the queue.
/// </summary>
public sealed class InteractionHandler(
    RunJobValidator validator,
    OncePerRequest once,
    FrontDoorQueue queue)
{
    public async Task<InteractionAnswer> HandleAsync(InteractionPayload payload, CancellationToken cancellationToken) =>
        payload switch
        {
            ViewSubmissionPayload { View.CallbackId: JobModal.CallbackId } submission => await SubmitAsync(submission, cancellationToken),
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

        var (draft, serviceBlock) = JobModal.ReadSubmission(view, metadata);
        var origin = new JobOrigin(JobOrigin.Slack, submission.Team?.Id ?? user.TeamId, metadata.ChannelId, user.Id, user.Username ?? user.Name);
        var validation = await validator.ValidateAsync(draft, origin, metadata.RerunOf, cancellationToken);
        if (validation.Request is not { } request)
        {
            return Errors(JobModal.ErrorsByBlock(validation, serviceBlock));
        }

        // A double click on Run, or a Slack retry, submits the same view with the same hash.
        var target = new ReplyTarget(ResponseUrl: null, metadata.ChannelId, user.Id);
        return once.TryEnqueue(
            $"slack:view:{view.Id}:{view.Hash}",
            $"start a job on {request.Service} in {request.Environment}",
            target,
            (services, token) => services.GetRequiredService<JobStarter>().StartAsync(request, target, token)) == OnceOutcome.Busy
            ? Errors(new Dictionary<string, string> { [JobModal.CommandBlock] = "The bot is busy right now and started nothing. Try again in a moment." })
            : InteractionAnswer.Empty;
    }

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
        foreach (var action in payload.Actions)
        {
            if (action.ActionId == JobModal.EnvironmentAction && payload.View is { } view && action.SelectedOption is { } chosen)
            {
                // Idempotent (a views.update guarded by the view's hash), so no ledger entry is needed.
                queue.TryEnqueue(
                    "follow the modal's environment",
                    (services, token) => services.GetRequiredService<JobModalOpener>().SwitchEnvironmentAsync(view, chosen.Value, token));
                continue;
            }

            if (action.Value is not { Length: > 0 } jobId || action.ActionId is not (JobMessageActions.Cancel or JobMessageActions.Rerun or JobMessageActions.FullLog))
            {
                continue;
            }

            // A double click sends two payloads with distinct action_ts; a Slack retry repeats the same one.
            var key = $"slack:action:{action.ActionId}:{user.Id}:{action.ActionTs ?? payload.TriggerId}";
            if (WorkFor(action.ActionId, jobId, channelId, payload, target) is { } work)
            {
                once.TryEnqueue(key, work.Description, target, work.RunAsync);
            }
        }

        return InteractionAnswer.Empty;
    }

    private static FrontDoorWork? WorkFor(string actionId, string jobId, string? channelId, BlockActionsPayload payload, ReplyTarget target)
    {
        switch (actionId)
        {
            case JobMessageActions.Cancel:
                return new FrontDoorWork(
                    $"cancel job {jobId}",
                    (services, token) => services.GetRequiredService<JobCanceller>().DecideAndCancelAsync(jobId, target, token));
            case JobMessageActions.Rerun when payload.TriggerId is { } triggerId && channelId is not null:
                return new FrontDoorWork(
                    $"open the re-run modal of {jobId}",
                    (services, token) => services.GetRequiredService<JobModalOpener>().OpenRerunAsync(triggerId, jobId, channelId, target, token));
            case JobMessageActions.FullLog when channelId is not null:
                // The button sits on the job message, whose ts is the thread's; a message inside a thread names its parent.
                var threadTs = payload.Container?.ThreadTs ?? payload.Message?.ThreadTs ?? payload.Container?.MessageTs ?? payload.Message?.Ts;
                return new FrontDoorWork(
                    $"upload the full log of {jobId}",
                    (services, token) => services.GetRequiredService<FullLogUploader>().UploadAsync(jobId, channelId, threadTs, target, token));
            default:
                return null;
        }
    }
}
