using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Runs;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Approvals;

/// <summary>
/// Posts the approval request of a run the gate let through on condition (<see cref="RunNeedsApproval"/>): the message
/// with Approve, Deny and Withdraw, in the approvers' channel the policy names or else in the job's channel; then the
/// stored request (with where its message is), the audit entry, and a private word to the requester saying that it
/// waits and where. Nothing is recorded when the message cannot be posted, and the requester is told why.
/// </summary>
public sealed partial class ApprovalRequester(
    IApprovalStore approvals, ApprovalRedaction redaction, ApprovalMessageRenderer renderer, SlackWebClient slack, AuditTrail audit,
    TimeProvider clock, ILogger<ApprovalRequester> logger)
{
    public async Task RequestAsync(RunAttempt attempt, RunNeedsApproval needed, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(needed);
        ArgumentNullException.ThrowIfNull(replyTo);
        var request = needed.Request;
        var requirement = needed.Approval;
        var channel = requirement.Channel ?? request.Origin.ChannelId;
        if (channel is null)
        {
            await TellAsync(replyTo, $":x: Nothing was started: a job on `{request.Service}` in `{request.Environment}` needs approval, and there is no channel to ask in. Run it from a channel, or name the approvers' channel in `{requirement.Rule}:Channel`.");
            return;
        }

        var now = clock.GetUtcNow();
        var approval = new PendingApproval
        {
            Id = ApprovalWire.NewId(),
            State = ApprovalState.Waiting,
            Request = request,
            RequesterId = attempt.Actor.UserId,
            ReplyTo = new ApprovalReplyRoute(replyTo.ResponseUrl, replyTo.ChannelId, replyTo.UserId),
            Rule = requirement.Rule,
            CreatedAt = now,
            ExpiresAt = now + requirement.Expiry,
            Version = 0,
        };
        var redactor = await redaction.ForAsync(approval, cancellationToken);
        PostedMessage posted;
        try
        {
            posted = await slack.PostMessageAsync(channel, renderer.Render(ApprovalMessage.From(approval, requirement.Who, redactor)), cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogPostFailed(ex, channel);
            await TellAsync(replyTo, $":x: Nothing was started: the approval request could not be posted in <#{channel}> ({ex.Message}). " +
                                     $"Invite the app there with `/invite @specific`, or ask an admin to check `{requirement.Rule}:Channel`, then run it again.");
            return;
        }

        try
        {
            approval = await approvals.CreateApprovalAsync(approval with { MessageChannelId = posted.Channel, MessageTs = posted.Ts }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRecordFailed(ex, approval.Id);
            // A message whose buttons lead nowhere must not stay: it says it was not recorded.
            await RetractAsync(posted, ex.Message);
            await TellAsync(replyTo, $":x: Nothing was started: the approval request could not be recorded ({ex.Message}). Try again in a moment.");
            return;
        }

        audit.Record(attempt.Audited(
            attempt.Action, AuditOutcome.ApprovalRequested, requirement.Rule,
            $"Approval request {approval.Id} posted in <#{posted.Channel}> for {requirement.Who}; expires {approval.ExpiresAt:u}."));
        var where = posted.Channel == replyTo.ChannelId ? "in this channel" : $"in <#{posted.Channel}>";
        await TellAsync(replyTo,
            $":hourglass_flowing_sand: Nothing has started yet: your job on `{request.Service}` in `{request.Environment}` waits for approval by {requirement.Who}, " +
            $"{where} (request `{approval.Id}`, expires in {Threads.JobMessage.Duration(requirement.Expiry)}). " +
            $"The job starts when one of them approves; you can't approve it yourself. *Withdraw* on the request takes it back.\nRule: `{requirement.Rule}`.");
    }

    private async Task RetractAsync(PostedMessage posted, string reason)
    {
        try
        {
            await slack.UpdateMessageAsync(posted.Channel, posted.Ts, new Slack.BlockKit.SlackMessage(
                $":x: This approval request could not be recorded ({reason}), so it cannot be approved. Nothing was started."), CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogRetractFailed(ex, posted.Channel);
        }
    }

    private Task TellAsync(ReplyTarget target, string text) => slack.TellOrLogAsync(target, text, logger, "about their approval request");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not post an approval request in {ChannelId}")]
    private partial void LogPostFailed(Exception exception, string channelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record approval request {ApprovalId}")]
    private partial void LogRecordFailed(Exception exception, string approvalId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not retract an unrecorded approval request in {ChannelId}")]
    private partial void LogRetractFailed(Exception exception, string channelId);
}
