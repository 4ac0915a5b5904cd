using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>
/// The audit trail: every attempt to run, re-run, confirm or cancel a job, allowed or refused, kept beside the jobs.
/// Append only; both job stores implement it and pass one contract suite.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends an entry and returns it with the id the store gave it.</summary>
    Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>The newest entries first, optionally of one environment and/or one service.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken);
}

/// <summary>What was attempted.</summary>
public enum AuditAction
{
    Run,
    Rerun,
    Confirm,
    Cancel,
    Audit,

    /// <summary>A read of a job's log: its tail, a search, or the whole file.</summary>
    Logs,

    /// <summary>A click on Approve of a run waiting for a second person (allowed: the job starts; refused: not theirs to approve).</summary>
    Approve,

    /// <summary>A click on Deny of a run waiting for approval.</summary>
    Deny,

    /// <summary>The requester took back a run waiting for approval.</summary>
    Withdraw,

    /// <summary>A run waiting for approval ran out of time; nothing started.</summary>
    Expire,
}

/// <summary>How the attempt ended.</summary>
public enum AuditOutcome
{
    /// <summary>The policy allowed it and it went ahead.</summary>
    Allowed,

    /// <summary>A rule refused it; nothing happened.</summary>
    Refused,

    /// <summary>Allowed, but waiting for the person to confirm; nothing is recorded as started yet.</summary>
    ConfirmationRequested,

    /// <summary>Allowed, but waiting for a second person to approve; nothing is recorded as started yet.</summary>
    ApprovalRequested,
}

/// <summary>One attempt, as the audit trail keeps it.</summary>
/// <param name="Id">Given by the store on append; 0 before.</param>
/// <param name="Rule">The configuration entry that decided (for example <c>Guardrails:Environments:production:Run:Users</c>).</param>
/// <param name="Detail">What the person was told, or what happened (the job id started, the reason refused).</param>
/// <param name="CommandText">What the person typed or submitted: the slash command text, or the job's command.</param>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    AuditAction Action,
    AuditOutcome Outcome,
    string Environment,
    string? Service,
    string? JobId,
    string? TeamId,
    string? UserId,
    string? ChannelId,
    string? CommandText,
    string? Rule,
    string? Detail);

/// <summary>A filter for <see cref="IAuditLog.ListAsync"/>.</summary>
public sealed record AuditQuery(string? Environment = null, string? Service = null, int Limit = 20);

/// <summary>The wire names of the audit enums, as both stores keep them.</summary>
public static class AuditWire
{
    public static string ToWire(this AuditAction action) => action switch
    {
        AuditAction.Run => "run",
        AuditAction.Rerun => "rerun",
        AuditAction.Confirm => "confirm",
        AuditAction.Cancel => "cancel",
        AuditAction.Audit => "audit",
        AuditAction.Logs => "logs",
        AuditAction.Approve => "approve",
        AuditAction.Deny => "deny",
        AuditAction.Withdraw => "withdraw",
        AuditAction.Expire => "expire",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static string ToWire(this AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Allowed => "allowed",
        AuditOutcome.Refused => "refused",
        AuditOutcome.ConfirmationRequested => "confirmation_requested",
        AuditOutcome.ApprovalRequested => "approval_requested",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    public static AuditAction ActionFromWire(string wire) =>
        Enum.GetValues<AuditAction>().FirstOrDefault(a => a.ToWire() == wire, (AuditAction)(-1)) is var found && Enum.IsDefined(found)
            ? found
            : throw new FormatException($"'{wire}' is not an audit action.");

    public static AuditOutcome OutcomeFromWire(string wire) =>
        Enum.GetValues<AuditOutcome>().FirstOrDefault(o => o.ToWire() == wire, (AuditOutcome)(-1)) is var found && Enum.IsDefined(found)
            ? found
            : throw new FormatException($"'{wire}' is not an audit outcome.");
}

/// <summary>Thrown when a job asked to run alone finds another job of its service still unfinished.</summary>
public sealed class ServiceBusyException(JobRecord running)
    : InvalidOperationException($"Job {running.Id} of {running.Service} in {running.Environment} is still {running.State.ToWire()}.")
{
    /// <summary>The unfinished job that holds the service.</summary>
    public JobRecord Running { get; } = running;
}
