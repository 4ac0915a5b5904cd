namespace Specific.Jobs.Kubernetes;

/// <summary>The services that can run jobs: the live Deployments of an environment's namespace.</summary>
public interface IServiceCatalog
{
    /// <summary>The names of the Deployments in the environment, sorted.</summary>
    Task<IReadOnlyList<string>> ListServicesAsync(string environment, CancellationToken cancellationToken);

    /// <summary>The names as Kubernetes has them now, bypassing any cache (for a name a cached list lacks).</summary>
    Task<IReadOnlyList<string>> ListFreshServicesAsync(string environment, CancellationToken cancellationToken) =>
        ListServicesAsync(environment, cancellationToken);
}
