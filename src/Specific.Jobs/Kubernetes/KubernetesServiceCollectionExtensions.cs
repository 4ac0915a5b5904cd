using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Kubernetes;

/// <summary>Registers the Kubernetes adapter of the job engine.</summary>
public static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IKubernetesJobs"/>, <see cref="IServiceCatalog"/> and <see cref="IKubernetesClientFactory"/>, bound to
    /// the "Kubernetes" and "Environments" configuration sections.
    /// </summary>
    public static IServiceCollection AddKubernetesJobs(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<KubernetesJobsOptions>()
            .Bind(configuration.GetSection(KubernetesJobsOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddEnvironments(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKubernetesClientFactory, KubernetesClientFactory>();
        services.TryAddSingleton<IKubernetesJobs, KubernetesJobs>();
        services.TryAddSingleton<KubernetesServiceCatalog>();
        services.TryAddSingleton<IServiceCatalog>(sp => new CachedServiceCatalog(
            sp.GetRequiredService<KubernetesServiceCatalog>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
