using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;

namespace Specific.Sandbox.ClusterSimulator.Store;

/// <summary>One owner reference, as the garbage collector and the controllers read it.</summary>
internal sealed record OwnerLink(string Uid, string Kind, bool Controller);

/// <summary>
/// One immutable snapshot of a stored object: its JSON as served, and what selectors, watches and controllers read
/// about it, extracted once when it is written so that reading it never parses the JSON again.
/// </summary>
internal sealed class StoredObject
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    private StoredObject(ResourceType type, string json, V1ObjectMeta meta, IReadOnlyDictionary<string, string> fields)
    {
        Type = type;
        Json = json;
        Namespace = type.Namespaced ? meta.NamespaceProperty ?? "" : "";
        Name = meta.Name;
        Uid = meta.Uid;
        ResourceVersion = long.Parse(meta.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture);
        Labels = meta.Labels is { Count: > 0 } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : NoLabels;
        Owners = [.. (meta.OwnerReferences ?? []).Select(o => new OwnerLink(o.Uid, o.Kind, o.Controller == true))];
        Finalizers = [.. meta.Finalizers ?? []];
        Deleting = meta.DeletionTimestamp is not null;
        Fields = fields;
    }

    public ResourceType Type { get; }

    public string Json { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public long ResourceVersion { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>The value of every field selector the resource supports (<see cref="ResourceType.FieldSelectors"/>), "" when absent.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    public IReadOnlyList<OwnerLink> Owners { get; }

    public IReadOnlyList<string> Finalizers { get; }

    /// <summary>Whether metadata.deletionTimestamp is set.</summary>
    public bool Deleting { get; }

    /// <summary>The uid of the controlling owner, if any.</summary>
    public string? ControllerUid => Owners.FirstOrDefault(o => o.Controller)?.Uid;

    /// <summary>A fresh, caller-owned model of this snapshot; changing it changes nothing in the store.</summary>
    public T To<T>() where T : class, IKubernetesObject<V1ObjectMeta> => KubernetesJson.Deserialize<T>(Json);

    /// <summary>A fresh, caller-owned model of this snapshot, typed by its resource.</summary>
    public IKubernetesObject<V1ObjectMeta> ToModel() => Type.Deserialize(Json);

    /// <summary>Captures <paramref name="json"/>, the serialized form of <paramref name="obj"/>, with what is read about it later.</summary>
    public static StoredObject Capture(ResourceType type, IKubernetesObject<V1ObjectMeta> obj, string json)
    {
        // Only resources with selectable fields beyond the name and namespace need the document parsed.
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonNode? node = null;
        foreach (var path in type.FieldSelectors)
        {
            fields[path] = path switch
            {
                "metadata.name" => obj.Metadata.Name ?? "",
                "metadata.namespace" => obj.Metadata.NamespaceProperty ?? "",
                _ => FieldSelector.ValueAt(node ??= JsonNode.Parse(json)!, path),
            };
        }
        return new StoredObject(type, json, obj.Metadata, fields);
    }
}
