using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Approvals;

/// <summary>
/// The redactor for what an approval request shows of its command and name: the values the service's Secrets hold, as
/// for the job the request would start (read from the live Deployment until that job exists), plus token shapes. The
/// request may be posted in an approvers' channel, whose members have no need to read a password typed into a command.
/// </summary>
public sealed class ApprovalRedaction(IJobRedaction redaction)
{
    public ValueTask<ITextRedactor> ForAsync(PendingApproval approval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approval);
        return redaction.ForJobAsync(JobToBe(approval), cancellationToken);
    }

    /// <summary>
    /// The job the request would start, as far as redaction reads it: under its job id once approved, so the job's own
    /// redaction shares the read; before that under the request's id, which no job id can be.
    /// </summary>
    private static JobRecord JobToBe(PendingApproval approval) => new()
    {
        Id = approval.JobId ?? $"approval-{approval.Id}",
        Service = approval.Request.Service,
        Environment = approval.Request.Environment,
        Command = approval.Request.Command,
        Name = approval.Request.Name,
        Origin = approval.Request.Origin,
        State = JobState.Pending,
        Version = 0,
        CreatedAt = approval.CreatedAt,
    };
}
