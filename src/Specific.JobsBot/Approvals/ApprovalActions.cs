namespace Specific.JobsBot.Approvals;

/// <summary>
/// The action_ids of the approval message's buttons: the renderer puts them on the buttons and the interaction handler
/// dispatches on them. Each button's value is the approval id.
/// </summary>
public static class ApprovalActions
{
    /// <summary>An eligible approver (never the requester) starts the job.</summary>
    public const string Approve = "approval_approve";

    /// <summary>An eligible approver refuses it; nothing starts.</summary>
    public const string Deny = "approval_deny";

    /// <summary>The requester takes the request back; only they may.</summary>
    public const string Withdraw = "approval_withdraw";

    /// <summary>Whether an action_id is one of the approval message's buttons.</summary>
    public static bool IsApprovalAction(string? actionId) => actionId is Approve or Deny or Withdraw;
}
