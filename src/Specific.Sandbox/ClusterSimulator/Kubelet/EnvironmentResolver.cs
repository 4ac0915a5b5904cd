using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Kubelet;

/// <summary>A container's environment could not be built: the kubelet reports CreateContainerConfigError.</summary>
internal sealed class ContainerConfigException(string message) : Exception(message);

/// <summary>Builds a container's environment as the kubelet does: envFrom (with prefix) first, then env, with $(VAR) expansion.</summary>
internal sealed partial class EnvironmentResolver(ObjectStore store)
{
    public Dictionary<string, string> Resolve(V1Pod pod, V1Container container)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            var prefix = source.Prefix ?? "";
            if (source.ConfigMapRef is { } cmRef)
            {
                var configMap = store.Get<V1ConfigMap>(ns, cmRef.Name);
                if (configMap is null)
                {
                    if (cmRef.Optional == true) { continue; }
                    throw new ContainerConfigException($"configmap \"{cmRef.Name}\" not found");
                }
                foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
                {
                    env[prefix + key] = value;
                }
            }
            if (source.SecretRef is { } secretRef)
            {
                var secret = store.Get<V1Secret>(ns, secretRef.Name);
                if (secret is null)
                {
                    if (secretRef.Optional == true) { continue; }
                    throw new ContainerConfigException($"secret \"{secretRef.Name}\" not found");
                }
                foreach (var (key, value) in secret.Data ?? new Dictionary<string, byte[]>())
                {
                    env[prefix + key] = Encoding.UTF8.GetString(value);
                }
            }
        }
        foreach (var variable in container.Env ?? [])
        {
            var value = variable.Value is not null ? Expand(variable.Value, env) : ValueFrom(pod, variable);
            if (value is not null)
            {
                env[variable.Name] = value;
            }
        }
        return env;
    }

    private string? ValueFrom(V1Pod pod, V1EnvVar variable)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var from = variable.ValueFrom;
        if (from?.ConfigMapKeyRef is { } cmKey)
        {
            var configMap = store.Get<V1ConfigMap>(ns, cmKey.Name);
            if (configMap is null)
            {
                return cmKey.Optional == true ? null : throw new ContainerConfigException($"configmap \"{cmKey.Name}\" not found");
            }
            if (configMap.Data?.TryGetValue(cmKey.Key, out var value) == true)
            {
                return value;
            }
            return cmKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {cmKey.Key} in ConfigMap {ns}/{cmKey.Name}");
        }
        if (from?.SecretKeyRef is { } secretKey)
        {
            var secret = store.Get<V1Secret>(ns, secretKey.Name);
            if (secret is null)
            {
                return secretKey.Optional == true ? null : throw new ContainerConfigException($"secret \"{secretKey.Name}\" not found");
            }
            if (secret.Data?.TryGetValue(secretKey.Key, out var bytes) == true)
            {
                return Encoding.UTF8.GetString(bytes);
            }
            return secretKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
        }
        if (from?.FieldRef?.FieldPath is { } field)
        {
            return field switch
            {
                "metadata.name" => pod.Metadata.Name,
                "metadata.namespace" => ns,
                "metadata.uid" => pod.Metadata.Uid,
                "spec.nodeName" => pod.Spec.NodeName,
                "spec.serviceAccountName" => pod.Spec.ServiceAccountName,
                "status.podIP" => pod.Status?.PodIP,
                "status.hostIP" => pod.Status?.HostIP,
                _ when field.StartsWith("metadata.labels['", StringComparison.Ordinal) => Maps.ValueOf(pod.Metadata.Labels, field[17..^2]),
                _ when field.StartsWith("metadata.annotations['", StringComparison.Ordinal) => Maps.ValueOf(pod.Metadata.Annotations, field[22..^2]),
                _ => "",
            };
        }
        return from?.ResourceFieldRef is not null ? "0" : "";
    }

    /// <summary>Kubernetes' $(VAR) expansion: known names are replaced, $$ escapes, unknown references stay as written.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> env) =>
        Reference().Replace(text, m => m.Value.StartsWith("$$", StringComparison.Ordinal)
            ? m.Value[1..]
            : env.TryGetValue(m.Groups["name"].Value, out var value) ? value : m.Value);

    [GeneratedRegex(@"\$?\$\((?<name>[A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex Reference();
}
