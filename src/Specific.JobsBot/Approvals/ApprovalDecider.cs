using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Approvals;

/// <summary>
/// The Approve, Deny and Withdraw buttons. Approve and Deny belong to the approvers the policy names, never the
/// requester; Withdraw to the requester only. Everyone else is told privately why not and who can. Each decision is a
/// compare-and-set on the stored request: of two clicks at once, or a click racing the expiry, one wins and the other
/// is told what happened. An approval writes the job's id in the same write, so the job is recorded at most once.
/// </summary>
public sealed class ApprovalDecider(
    IApprovalStore approvals, ApprovalRules rules, ApprovalSettler settler, AuditTrail audit, SlackWebClient slack, TimeProvider clock)
{
    public async Task DecideAsync(string actionId, string approvalId, Actor actor, ReplyTarget clicker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(clicker);
        var approval = await approvals.GetApprovalAsync(approvalId, cancellationToken);
        if (approval is null)
        {
            await slack.TellAsync(clicker, $":x: No approval request `{Shorten(approvalId)}`: it was never recorded, so nothing can start from it. Ask the requester to run the command again.", cancellationToken);
            return;
        }

        if (approval.State == ApprovalState.Waiting && clock.GetUtcNow() >= approval.ExpiresAt)
        {
            // The sweep has not come by yet: the click finds it expired and expires it.
            await ExpireAsync(approval, cancellationToken);
            approval = await approvals.GetApprovalAsync(approvalId, cancellationToken) ?? approval;
        }

        if (approval.State != ApprovalState.Waiting)
        {
            await slack.TellAsync(clicker, $"Request `{approval.Id}` was already decided: {OutcomeOf(approval)}", cancellationToken);
            return;
        }

        var action = actionId switch
        {
            ApprovalActions.Approve => AuditAction.Approve,
            ApprovalActions.Deny => AuditAction.Deny,
            ApprovalActions.Withdraw => AuditAction.Withdraw,
            _ => throw new ArgumentOutOfRangeException(nameof(actionId), actionId, "Not an approval button."),
        };
        var (allowed, rule, reason) = action == AuditAction.Withdraw
            ? MayWithdraw(approval, actor)
            : await MayDecideAsync(approval, actor, cancellationToken);
        if (!allowed)
        {
            var what = action switch { AuditAction.Approve => "approve", AuditAction.Deny => "deny", _ => "withdraw" };
            var refusal = $":no_entry: You can't {what} request `{approval.Id}` (a job on `{approval.Request.Service}` in `{approval.Request.Environment}`): {reason}\nRule: `{rule}`.";
            audit.Record(Audited(approval, action, AuditOutcome.Refused, actor, rule, refusal));
            await slack.TellAsync(clicker, refusal, cancellationToken);
            return;
        }

        var to = action switch { AuditAction.Approve => ApprovalState.Approved, AuditAction.Deny => ApprovalState.Denied, _ => ApprovalState.Withdrawn };
        var jobId = to == ApprovalState.Approved ? JobIds.New() : null;
        var decision = await approvals.TryDecideApprovalAsync(approval.Id, to, actor.UserId, clock.GetUtcNow(), jobId, cancellationToken);
        if (!decision.Applied || decision.Approval is not { } decided)
        {
            var now = decision.Approval ?? approval;
            await slack.TellAsync(clicker, $"Too late: request `{approval.Id}` was decided just before your click: {OutcomeOf(now)}", cancellationToken);
            return;
        }

        audit.Record(Audited(decided, action, AuditOutcome.Allowed, actor, rule,
            to == ApprovalState.Approved ? $"Approved request {decided.Id}; job {decided.JobId} starts." : $"{to} request {decided.Id}; nothing started."));
        await settler.SettleAsync(decided, cancellationToken);
    }

    /// <summary>Expires a waiting request whose time ran out, once (a compare-and-set), and settles it; false when it was decided otherwise.</summary>
    public async Task<bool> ExpireAsync(PendingApproval approval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approval);
        var decision = await approvals.TryDecideApprovalAsync(approval.Id, ApprovalState.Expired, ApprovalWire.Expiry, clock.GetUtcNow(), null, cancellationToken);
        if (!decision.Applied || decision.Approval is not { } expired)
        {
            return false;
        }

        var requester = new Actor(approval.RequesterId, approval.Request.Origin.ChannelId, approval.Request.Origin.TeamId);
        audit.Record(Audited(expired, AuditAction.Expire, AuditOutcome.Allowed, requester, approval.Rule,
            $"Request {approval.Id} expired after {Threads.JobMessage.Duration(approval.ExpiresAt - approval.CreatedAt)} without a decision; nothing started."));
        await settler.SettleAsync(expired, cancellationToken);
        return true;
    }

    private static (bool Allowed, string Rule, string Reason) MayWithdraw(PendingApproval approval, Actor actor) =>
        string.Equals(actor.UserId, approval.RequesterId, StringComparison.Ordinal)
            ? (true, "requester", "you asked for it.")
            : (false, $"{approval.Rule} (only the requester withdraws)",
                $"only <@{approval.RequesterId}>, who asked for it, can withdraw it. To refuse it, use *Deny* if you are an approver.");

    private async Task<(bool Allowed, string Rule, string Reason)> MayDecideAsync(PendingApproval approval, Actor actor, CancellationToken cancellationToken)
    {
        if (rules.For(approval.Request.Environment, approval.Request.Service) is not { } requirement)
        {
            return (false, approval.Rule,
                "the policy no longer asks for an approval here, so it names no approvers. The requester can withdraw it and run the command again.");
        }

        var decision = await rules.MayDecideAsync(requirement, actor.UserId, approval.RequesterId, cancellationToken);
        return (decision.Allowed, decision.Rule, decision.Reason);
    }

    /// <summary>The outcome line, which shows no command: nothing in it needs the service's Secrets read.</summary>
    private string OutcomeOf(PendingApproval approval) =>
        ApprovalMessageRenderer.Outcome(ApprovalMessage.From(approval, ApprovalMessage.ApproversOf(rules, approval), SecretRedactor.ShapesOnly));

    private static GuardedAttempt Audited(PendingApproval approval, AuditAction action, AuditOutcome outcome, Actor actor, string rule, string detail) => new()
    {
        Action = action, Outcome = outcome, Actor = actor,
        Environment = approval.Request.Environment, Service = approval.Request.Service, JobId = approval.JobId,
        CommandText = approval.Request.Command, Rule = rule, Detail = detail,
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
