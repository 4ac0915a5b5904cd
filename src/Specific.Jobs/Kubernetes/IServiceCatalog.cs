namespace Specific.Jobs.Kubernetes;

/// <summary>The services that can run jobs: the live Deployments of an environment's namespace.</summary>
public interface IServiceCatalog
{
    /// <summary>The names of the Deployments in the environment, sorted.</summary>
    Task<IReadOnlyList<string>> ListServicesAsync(string environment, CancellationToken cancellationToken);
}
