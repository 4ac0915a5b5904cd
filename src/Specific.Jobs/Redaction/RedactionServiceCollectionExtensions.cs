using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Specific.Jobs.Redaction;

/// <summary>Registers secret redaction for everything that posts to Slack.</summary>
public static class RedactionServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IJobRedaction"/> bound to the "Redaction" section (<c>Redaction:SecretValues</c>, true by
    /// default), reading Secrets through the <c>IKubernetesClientFactory</c> that <c>AddKubernetesJobs</c> registers.
    /// </summary>
    public static IServiceCollection AddRedaction(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RedactionOptions>()
            .Bind(configuration.GetSection(RedactionOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISecretValueSource, KubernetesSecretValueSource>();
        services.TryAddSingleton<IJobRedaction, JobRedaction>();
        return services;
    }
}
