using System.Collections.Concurrent;
using k8s;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Kubernetes;

/// <summary>Gives the Kubernetes client and namespace of an environment.</summary>
public interface IKubernetesClientFactory
{
    /// <summary>The namespace an environment lives in. Throws <see cref="JobRejectedException"/> (<see cref="RejectionKinds.UnknownEnvironment"/>) when it is not configured.</summary>
    string NamespaceOf(string environment);

    /// <summary>The client for the cluster an environment lives in.</summary>
    IKubernetes ForEnvironment(string environment);

    /// <summary>The client for the cluster that holds <paramref name="namespace"/> (for calls that know only the namespace).</summary>
    IKubernetes ForNamespace(string @namespace);
}

/// <summary>
/// Builds one client per cluster context: the configured <see cref="KubernetesJobsOptions.Host"/> when set, else the
/// in-cluster service account when running in a pod, else the kubeconfig (with the environment's context).
/// </summary>
public sealed class KubernetesClientFactory(
    IOptions<KubernetesJobsOptions> options,
    IOptions<EnvironmentsOptions> environments) : IKubernetesClientFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IKubernetes>> _clients = new(StringComparer.Ordinal);

    public string NamespaceOf(string environment)
    {
        var target = environments.Value.Find(environment);
        if (target is not null)
            return string.IsNullOrEmpty(target.Namespace) ? environment : target.Namespace;
        if (environment == environments.Value.Default || environment == "production")
            return environment;
        throw new JobRejectedException(
            $"Environment `{environment}` is not configured. Known environments: {string.Join(", ", KnownEnvironments())}.",
            RejectionKinds.UnknownEnvironment);
    }

    public IKubernetes ForEnvironment(string environment) =>
        ForContext(environments.Value.Find(environment)?.Context ?? options.Value.Context);

    public IKubernetes ForNamespace(string @namespace)
    {
        // Environments that share a namespace name on different clusters are told apart by their context; the
        // first configured one wins, which is why callers that know the environment should use ForEnvironment.
        var target = environments.Value.Targets.Values.FirstOrDefault(t => t.Namespace == @namespace)
            ?? environments.Value.Find(@namespace);
        return ForContext(target?.Context ?? options.Value.Context);
    }

    private IKubernetes ForContext(string? context) =>
        _clients.GetOrAdd(context ?? "", key => new Lazy<IKubernetes>(() => Create(key.Length == 0 ? null : key))).Value;

    private k8s.Kubernetes Create(string? context)
    {
        var settings = options.Value;
        KubernetesClientConfiguration config;
        if (!string.IsNullOrWhiteSpace(settings.Host))
            config = new KubernetesClientConfiguration { Host = settings.Host };
        else if (context is null && string.IsNullOrWhiteSpace(settings.KubeConfigPath) && KubernetesClientConfiguration.IsInCluster())
            config = KubernetesClientConfiguration.InClusterConfig();
        else
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(settings.KubeConfigPath, context);
        return new k8s.Kubernetes(config);
    }

    private IEnumerable<string> KnownEnvironments() =>
        environments.Value.Targets.Keys.Append(environments.Value.Default).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
            client.Value.Dispose();
        _clients.Clear();
    }
}
