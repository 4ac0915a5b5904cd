namespace Specific.Sandbox.ClusterSimulator.Store;

/// <summary>Lookups on the IDictionary-typed labels and annotations of the k8s models.</summary>
internal static class Maps
{
    public static string? ValueOf(IDictionary<string, string>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;
}

/// <summary>Compares model graphs by their JSON, so controllers write only when something really changed.</summary>
internal static class Snapshot
{
    public static string Of(object? value) => value is null ? "" : k8s.KubernetesJson.Serialize(value);
}
