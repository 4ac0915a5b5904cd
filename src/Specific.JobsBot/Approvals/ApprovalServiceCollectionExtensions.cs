using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Specific.JobsBot.Approvals;

/// <summary>Registers four-eyes approval: the request, the buttons, the message and the sweep.</summary>
public static class ApprovalServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ApprovalRequester"/>, <see cref="ApprovalDecider"/>, <see cref="ApprovalSettler"/>,
    /// <see cref="ApprovalMessageRenderer"/>, <see cref="ApprovalRedaction"/> and the <see cref="ApprovalSweep"/> (Approvals:SweepInterval, Approvals:SettleAfter).
    /// Needs IApprovalStore (AddJobStorage), IJobRedaction, the guardrails, JobStarter and SlackWebClient.
    /// </summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services)
    {
        services.AddOptions<ApprovalSweepOptions>().BindConfiguration(ApprovalSweepOptions.Section)
            .Validate(o => o.SweepInterval > TimeSpan.Zero && o.SweepInterval <= TimeSpan.FromMinutes(10),
                "Approvals:SweepInterval must be between 00:00:00.001 and 00:10:00: it is how often expired approval requests are expired.")
            .Validate(o => o.SettleAfter >= TimeSpan.Zero && o.SettleAfter <= TimeSpan.FromHours(1),
                "Approvals:SettleAfter must be between 00:00:00 and 01:00:00: it is how long a decision may be in hand before the sweep finishes it.")
            .ValidateOnStart();
        services.TryAddSingleton<ApprovalMessageRenderer>();
        services.TryAddSingleton<ApprovalRedaction>();
        services.TryAddScoped<ApprovalRequester>();
        services.TryAddScoped<ApprovalSettler>();
        services.TryAddScoped<ApprovalDecider>();
        services.AddHostedService<ApprovalSweep>();
        return services;
    }
}
