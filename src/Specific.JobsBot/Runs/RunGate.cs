using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;

namespace Specific.JobsBot.Runs;

/// <summary>A request to run a job, as the run gate and the audit trail see it.</summary>
/// <param name="CommandText">What the audit trail shows as typed: the slash command, the form's command, or "Re-run of …".</param>
public sealed record RunAttempt(JobRequest Request, Actor Actor, string CommandText)
{
    /// <summary>A run, or a re-run when the request names the job it repeats.</summary>
    public AuditAction Action => Request.RerunOf is null ? AuditAction.Run : AuditAction.Rerun;

    /// <summary>This attempt as one entry of the audit trail.</summary>
    public GuardedAttempt Audited(AuditAction action, AuditOutcome outcome, string? rule, string detail) => new()
    {
        Action = action, Outcome = outcome, Actor = Actor,
        Environment = Request.Environment, Service = Request.Service,
        CommandText = CommandText, Rule = rule, Detail = detail,
    };
}

/// <summary>When the gate is asked about an attempt.</summary>
public enum RunGateMoment
{
    /// <summary>Before a job starts (the slash command, the form's submission): every guardrail applies.</summary>
    BeforeStart,

    /// <summary>
    /// Before the Re-run button's form opens: only whether the person may run there, since a run-alone service that is
    /// busy now may be free when the form is submitted, which passes the gate again.
    /// </summary>
    BeforeRerunForm,
}

/// <summary>What the run gate decided about one attempt; a new step (such as an approval) becomes one more case here.</summary>
/// <param name="Verdict">What the guardrails said, for the wording of the answer.</param>
public abstract record RunGateOutcome(RunVerdict Verdict);

/// <summary>May start now, as <paramref name="Request"/> (which carries what the store must enforce).</summary>
public sealed record RunAllowed(RunVerdict Verdict, JobRequest Request) : RunGateOutcome(Verdict)
{
    /// <summary>The rule that let it run, for the audit entry of the start.</summary>
    public string AllowedBy => Verdict.Rule;
}

/// <summary>Refused, and already in the audit trail; <paramref name="Refusal"/> is what the person is told.</summary>
public sealed record RunRefused(RunVerdict Verdict, string Refusal) : RunGateOutcome(Verdict);

/// <summary>
/// Refused because the bot cannot post the job's message where it was asked for (a private channel or DM without the
/// bot, a public channel it could not join), and already in the audit trail; no job is recorded.
/// <paramref name="Problem"/> is the plain answer (the run form shows it under a field), <see cref="Refusal"/> the private reply.
/// </summary>
public sealed record RunOutOfReach(RunVerdict Verdict, string Problem) : RunGateOutcome(Verdict)
{
    public string Refusal => $":lock: {Problem}";
}

/// <summary>Must be confirmed in a form first, for these reasons; nothing is recorded until a form asks.</summary>
public sealed record RunNeedsConfirmation(RunVerdict Verdict, IReadOnlyList<ConfirmationReason> Reasons) : RunGateOutcome(Verdict)
{
    /// <summary>The rules that ask for the confirmation, as the audit trail keeps them.</summary>
    public string Rules => string.Join("; ", Reasons.Select(reason => reason.Rule));
}

/// <summary>
/// Allowed, but a second person must approve it first (four-eyes approval): nothing is recorded as started; the caller
/// posts the approval request, and an Approve click starts <paramref name="Request"/> through the normal start path.
/// Confirmation comes first: a run that must also be confirmed is <see cref="RunNeedsConfirmation"/> until confirmed.
/// </summary>
public sealed record RunNeedsApproval(RunVerdict Verdict, JobRequest Request, ApprovalRequirement Approval) : RunGateOutcome(Verdict)
{
    /// <summary>The rule that let it run (for the audit entry of the start) and the one that asks for the approval.</summary>
    public string AllowedBy => $"{Verdict.Rule}; {Approval.Rule}";
}

/// <summary>
/// The one gate every run request passes (the slash command, the run form's submission and the Re-run button): the
/// guardrails decide whether it is allowed, refused (recorded in the audit trail here) or must be confirmed, and the
/// confirmation it asks for is recorded here too. A run the guardrails would let through is refused when the bot could
/// not post its message where it was asked for (<see cref="ChannelReach"/>): nothing would show the person their job.
/// </summary>
public sealed class RunGate(RunGuard guard, AuditTrail audit, ChannelReach reach, ApprovalRules approvals)
{
    /// <summary>Asks the guardrails; a refusal is recorded before it is returned, an allowed start carries its run-alone flag.</summary>
    public async Task<RunGateOutcome> CheckAsync(RunAttempt attempt, RunGateMoment moment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var request = attempt.Request;
        // Asked beside the guardrails, so both fit in Slack's 3 seconds; it never throws but for the caller's cancellation.
        // Not before the Re-run form: its trigger_id has no time to spare, and the form's submission passes here again.
        var reachable = moment == RunGateMoment.BeforeStart
                        && request.Origin.ChannelId is { Length: > 0 } channel
                        && request.Origin.Client == JobOrigin.Slack
            ? reach.CheckAsync(channel, cancellationToken)
            : Task.FromResult(ChannelReachAnswer.Reachable);
        var verdict = await guard.CheckAsync(request, attempt.Actor, cancellationToken);
        var refusal = moment switch
        {
            RunGateMoment.BeforeStart when !verdict.Allowed => verdict.Refusal(request.Service, request.Environment),
            RunGateMoment.BeforeRerunForm when !verdict.Decision.Allowed =>
                verdict.Decision.Access.RefusalText($"re-run jobs on `{request.Service}` in `{request.Environment}`"),
            // A free command's Re-run where only saved tasks run now: no form opens that could only be refused.
            RunGateMoment.BeforeRerunForm when verdict.NotASavedTask is { } notATask => notATask.Text,
            _ => null,
        };
        if (refusal is not null)
        {
            audit.Record(attempt.Audited(attempt.Action, AuditOutcome.Refused, verdict.Rule, refusal));
            return new RunRefused(verdict, refusal);
        }

        if (await reachable is { Reach: Reach.Unreachable, Problem: { } problem })
        {
            audit.Record(attempt.Audited(attempt.Action, AuditOutcome.Refused, ChannelReach.Rule, problem));
            return new RunOutOfReach(verdict, problem);
        }

        var confirmations = verdict.Confirmations(request.Service, request.Environment);
        return confirmations.Count > 0
            ? new RunNeedsConfirmation(verdict, confirmations)
            : AllowedOrNeedsApproval(verdict, request);
    }

    /// <summary>
    /// Allowed, unless the policy asks for a second person's approval: then it waits for one. Never inherited: a re-run,
    /// or a run of a job approved before, asks again.
    /// </summary>
    private RunGateOutcome AllowedOrNeedsApproval(RunVerdict verdict, JobRequest request)
    {
        var allowed = request with { RunAlone = verdict.Decision.RunsAlone, ApprovedBy = null, JobId = null };
        return approvals.For(request.Environment, request.Service) is { } approval
            ? new RunNeedsApproval(verdict, allowed, approval)
            : new RunAllowed(verdict, allowed);
    }

    /// <summary>Records that a form now asks the person to confirm; <paramref name="detail"/> says which form.</summary>
    public void RecordAsked(RunAttempt attempt, RunNeedsConfirmation needed, string detail)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(needed);
        audit.Record(attempt.Audited(attempt.Action, AuditOutcome.ConfirmationRequested, needed.Rules, detail));
    }

    /// <summary>
    /// The person submitted the confirmation field: allowed when it holds the service's name exactly, refused (with
    /// what to type) otherwise; recorded either way.
    /// </summary>
    public RunGateOutcome Confirm(RunAttempt attempt, RunNeedsConfirmation needed, string? typed)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(needed);
        var request = attempt.Request;
        if (!string.Equals(typed, request.Service, StringComparison.Ordinal))
        {
            audit.Record(attempt.Audited(AuditAction.Confirm, AuditOutcome.Refused, needed.Rules, $"Typed '{typed}' instead of the service name."));
            return new RunRefused(needed.Verdict, $"Type {request.Service} exactly to run this job in {request.Environment}.");
        }

        audit.Record(attempt.Audited(AuditAction.Confirm, AuditOutcome.Allowed, needed.Rules, "Confirmed by typing the service name."));
        return AllowedOrNeedsApproval(needed.Verdict, request);
    }
}
