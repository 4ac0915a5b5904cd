using k8s;

namespace Specific.Jobs.Kubernetes;

/// <summary>Lists the services that can run jobs: the Deployments in an environment's namespace.</summary>
public sealed class KubernetesServiceCatalog(IKubernetesClientFactory clients) : IServiceCatalog
{
    public async Task<IReadOnlyList<string>> ListServicesAsync(string environment, CancellationToken cancellationToken)
    {
        var @namespace = clients.NamespaceOf(environment);
        var client = clients.ForEnvironment(environment);
        var names = new List<string>();
        string? next = null;
        do
        {
            var page = await client.AppsV1.ListNamespacedDeploymentAsync(
                @namespace, continueParameter: next, limit: 500, cancellationToken: cancellationToken);
            names.AddRange(page.Items.Select(d => d.Metadata.Name));
            next = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
