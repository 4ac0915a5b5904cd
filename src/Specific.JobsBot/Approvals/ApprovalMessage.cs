using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;

namespace Specific.JobsBot.Approvals;

/// <summary>What the approval message says, decided from the stored request and the policy; <see cref="ApprovalMessageRenderer"/> shows it.</summary>
public sealed record ApprovalMessage
{
    public required string ApprovalId { get; init; }
    public required ApprovalState State { get; init; }
    public required string Service { get; init; }
    public required string Environment { get; init; }
    public required string Command { get; init; }
    public string? Name { get; init; }

    /// <summary>"10 minutes": the job's time limit, when one was asked for.</summary>
    public string? TimeLimit { get; init; }

    public required string RequesterId { get; init; }

    /// <summary>The channel the job's message will go to.</summary>
    public string? JobChannelId { get; init; }

    /// <summary>Who may approve, as Slack mentions.</summary>
    public required string Approvers { get; init; }

    /// <summary>The policy entry that asks for the approval.</summary>
    public required string Rule { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>How long the request waited before it expired (for the expired outcome).</summary>
    public required TimeSpan Expiry { get; init; }

    /// <summary>Why only token shapes were redacted (a Secret could not be read); null when every value was read.</summary>
    public string? RedactionWarning { get; init; }

    public string? DecidedBy { get; init; }
    public string? JobId { get; init; }

    /// <summary>Approved, but its job could not be recorded (a run-alone service busy, the store refusing); the requester was told why.</summary>
    public bool JobNotRecorded { get; init; }

    /// <summary>
    /// The message's model for a stored request; <paramref name="approvers"/> as the policy names them now. The command
    /// and name pass through <paramref name="redactor"/> (<see cref="ApprovalRedaction"/>: the service's Secret values and
    /// token shapes), as on every job message: the request may be posted in an approvers' channel.
    /// </summary>
    public static ApprovalMessage From(PendingApproval approval, string approvers, ITextRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(approval);
        ArgumentNullException.ThrowIfNull(redactor);
        var request = approval.Request;
        return new ApprovalMessage
        {
            ApprovalId = approval.Id,
            State = approval.State,
            Service = request.Service,
            Environment = request.Environment,
            Command = redactor.Redact(request.Command),
            Name = request.Name is { } name ? redactor.Redact(name) : null,
            RedactionWarning = redactor.Warning,
            TimeLimit = request.Timeout is { } limit ? JobTimeouts.Describe(limit) : null,
            RequesterId = approval.RequesterId,
            JobChannelId = request.Origin.ChannelId,
            Approvers = approvers,
            Rule = approval.Rule,
            ExpiresAt = approval.ExpiresAt,
            Expiry = approval.ExpiresAt - approval.CreatedAt,
            DecidedBy = approval.DecidedBy,
            JobId = approval.JobId,
        };
    }

    /// <summary>The approvers the policy names now for the request's service and environment.</summary>
    public static string ApproversOf(ApprovalRules rules, PendingApproval approval)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(approval);
        return rules.For(approval.Request.Environment, approval.Request.Service)?.Who ?? "nobody (the policy no longer asks for an approval here)";
    }
}
