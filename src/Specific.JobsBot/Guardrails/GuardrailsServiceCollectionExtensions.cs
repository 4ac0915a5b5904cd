using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Specific.JobsBot.Guardrails;

/// <summary>Registers the guardrails: the validated policy, its evaluator, user group lookups and the audit trail.</summary>
public static class GuardrailsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="GuardrailsOptions"/> from "Guardrails" (validated at start-up), and registers
    /// <see cref="AccessPolicy"/>, <see cref="LogAccess"/>, <see cref="IUserGroupMembers"/> (Slack, cached) and
    /// <see cref="AuditTrail"/> with its writer, <see cref="ChannelReach"/> and <see cref="JobRequesters"/>. Needs IAuditLog (AddJobStorage) and SlackWebClient (AddSlackWebClient).
    /// </summary>
    public static IServiceCollection AddGuardrails(this IServiceCollection services)
    {
        services.AddOptions<GuardrailsOptions>().BindConfiguration(GuardrailsOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GuardrailsOptions>, GuardrailsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IUserGroupMembers, SlackUserGroupMembers>();
        services.TryAddSingleton<AccessPolicy>();
        services.TryAddSingleton<ApprovalRules>();
        services.AddOptions<SavedTasksOptions>()
            .Configure<IConfiguration>((tasks, configuration) => configuration.GetSection(SavedTasksOptions.Section).Bind(tasks.Services))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SavedTasksOptions>, SavedTasksOptionsValidator>());
        services.TryAddSingleton<SavedTaskCatalog>();
        services.TryAddScoped<RunGuard>();
        services.TryAddSingleton<LogAccess>();
        services.TryAddSingleton<AuditTrail>();
        services.TryAddSingleton<ChannelReach>();
        services.TryAddSingleton<JobRequesters>();
        services.AddHostedService<AuditWriter>();
        services.AddHostedService<UserGroupWarmUp>();
        return services;
    }
}
