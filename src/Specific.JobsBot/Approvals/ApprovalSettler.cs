using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Runs;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Approvals;

/// <summary>
/// Does what a decided request asks for, and may be asked again (by the sweep, after a crash) without doing it twice:
/// an approved run's job is recorded under the id the approval recorded and started through <see cref="JobStarter"/>;
/// the approval message is updated to the outcome and loses its buttons; the requester is told privately. Only then is
/// the request marked settled.
/// </summary>
public sealed partial class ApprovalSettler(
    IApprovalStore approvals, JobStarter starter, ApprovalRules rules, ApprovalRedaction redaction, ApprovalMessageRenderer renderer,
    SlackWebClient slack, TimeProvider clock, ILogger<ApprovalSettler> logger)
{
    public async Task SettleAsync(PendingApproval approval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approval);
        if (approval.State == ApprovalState.Waiting || approval.SettledAt is not null)
        {
            return;
        }

        var requester = new ReplyTarget(ResponseUrl: null, approval.ReplyTo.ChannelId, approval.ReplyTo.UserId);
        var message = ApprovalMessage.From(approval, ApprovalMessage.ApproversOf(rules, approval), await redaction.ForAsync(approval, cancellationToken));
        if (approval.State == ApprovalState.Approved)
        {
            var request = approval.Request with { JobId = approval.JobId, ApprovedBy = approval.DecidedBy };
            var job = await starter.StartApprovedAsync(request, requester, $"{approval.Rule}:Approvers (approved by {approval.DecidedBy})", cancellationToken);
            if (job is null)
            {
                // Not recorded (a run-alone service busy, the store refusing): the requester was told why by the starter.
                message = message with { JobNotRecorded = true };
            }
        }

        var told = ApprovalMessageRenderer.Outcome(message);
        await UpdateMessageAsync(approval, message, cancellationToken);
        await TellAsync(requester, $"Your request `{approval.Id}` to run a job on `{approval.Request.Service}` in `{approval.Request.Environment}`: {told}");
        await approvals.MarkApprovalSettledAsync(approval.Id, clock.GetUtcNow(), cancellationToken);
    }

    private async Task UpdateMessageAsync(PendingApproval approval, ApprovalMessage message, CancellationToken cancellationToken)
    {
        if (approval.MessageChannelId is not { } channel || approval.MessageTs is not { } ts)
        {
            return;
        }

        try
        {
            await slack.UpdateMessageAsync(channel, ts, renderer.Render(message), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The decision stands and the requester is told; a message left with buttons answers every click with the outcome.
            LogUpdateFailed(ex, approval.Id);
        }
    }

    private Task TellAsync(ReplyTarget target, string text) => slack.TellOrLogAsync(target, text, logger, "how their approval request ended");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not update the message of approval request {ApprovalId}")]
    private partial void LogUpdateFailed(Exception exception, string approvalId);
}
