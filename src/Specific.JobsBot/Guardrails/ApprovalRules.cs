using Microsoft.Extensions.Options;

namespace Specific.JobsBot.Guardrails;

/// <summary>What the policy asks of a run on one service in one environment: a second person's approval.</summary>
/// <param name="Rule">The entry that asks, as in <c>Guardrails:Environments:production:Services:payments:Approval</c>.</param>
/// <param name="Channel">The approvers' channel, or null for the channel the job was asked for in.</param>
public sealed record ApprovalRequirement(string Rule, PeopleList Approvers, string? Channel, TimeSpan Expiry)
{
    /// <summary>The approvers as Slack mentions, for the request and every refusal: "&lt;@U0ALICE&gt;, members of &lt;!subteam^S0ONCALL&gt;".</summary>
    public string Who => string.Join(", ", Approvers.Users.Select(u => $"<@{u}>").Concat(Approvers.Groups.Select(g => $"members of <!subteam^{g}>")));
}

/// <summary>Whether one person may decide a request, under which rule, and why (for the refusal).</summary>
public sealed record ApproverDecision(bool Allowed, string Rule, string Reason);

/// <summary>
/// Four-eyes approval in the guardrails policy: which runs need one (a service's Approval, else its environment's), and
/// who may approve or deny: a listed user or a member of a listed group, never the person who asked.
/// </summary>
public sealed class ApprovalRules(IOptionsMonitor<GuardrailsOptions> options, IUserGroupMembers groups)
{
    /// <summary>The approval a run on <paramref name="service"/> in <paramref name="environment"/> needs; null when none.</summary>
    public ApprovalRequirement? For(string environment, string service)
    {
        if (!options.CurrentValue.Environments.TryGetValue(environment, out var policy))
        {
            return null;
        }

        var path = $"{GuardrailsOptions.Section}:Environments:{environment}";
        if (policy.Services.GetValueOrDefault(service)?.Approval is { } serviceApproval)
        {
            return Requirement($"{path}:Services:{service}:Approval", serviceApproval);
        }

        return policy.Approval is { } environmentApproval ? Requirement($"{path}:Approval", environmentApproval) : null;
    }

    /// <summary>
    /// May <paramref name="userId"/> approve or deny a request of <paramref name="requesterId"/> under
    /// <paramref name="requirement"/>: a listed approver who is not the requester.
    /// </summary>
    public async Task<ApproverDecision> MayDecideAsync(
        ApprovalRequirement requirement, string userId, string requesterId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        if (string.Equals(userId, requesterId, StringComparison.Ordinal))
        {
            return new ApproverDecision(false, $"{requirement.Rule} (four eyes: not the requester)",
                $"you asked for this run, and four-eyes approval needs a second person. Ask {requirement.Who} to approve it, or withdraw it.");
        }

        if (requirement.Approvers.Users.Contains(userId, StringComparer.Ordinal))
        {
            return new ApproverDecision(true, $"{requirement.Rule}:Approvers:Users", "you are listed.");
        }

        var problem = "";
        foreach (var group in requirement.Approvers.Groups)
        {
            try
            {
                if ((await groups.MembersOfAsync(group, cancellationToken)).Contains(userId))
                {
                    return new ApproverDecision(true, $"{requirement.Rule}:Approvers:Groups", $"you are in <!subteam^{group}>.");
                }
            }
            catch (UserGroupLookupException ex)
            {
                problem += $" (Couldn't check whether you are in <!subteam^{group}>: {ex.Reason}. Try again in a moment.)";
            }
        }

        return new ApproverDecision(false, $"{requirement.Rule}:Approvers",
            $"only {requirement.Who} may approve or deny it.{problem} Leave it to them, or ask an admin to list you under `{requirement.Rule}:Approvers`.");
    }

    private static ApprovalRequirement Requirement(string rule, ApprovalPolicy policy) =>
        new(rule, policy.Approvers, string.IsNullOrWhiteSpace(policy.Channel) ? null : policy.Channel, policy.Expiry);
}
