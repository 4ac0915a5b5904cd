using System.Text.Json.Nodes;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>
/// JSON merge patch (RFC 7386) and the strategic merge patch of the built-in types: lists with a patch merge
/// key (containers by name, volumeMounts by mountPath, ...) merge element by element instead of being replaced.
/// </summary>
internal static class MergePatch
{
    /// <summary>The patchMergeKey of the list fields that kubectl patches most (from the API types' struct tags).</summary>
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["ports"] = "containerPort",
        ["imagePullSecrets"] = "name",
        ["ownerReferences"] = "uid",
        ["conditions"] = "type",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["resourceClaims"] = "name",
    };

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch, bool strategic = false)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }
        if (strategic && patchObject["$patch"]?.GetValue<string>() == "replace")
        {
            var replacement = (JsonObject)patchObject.DeepClone();
            replacement.Remove("$patch");
            return replacement;
        }
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (strategic && key.StartsWith('$'))
            {
                continue; // $setElementOrder, $retainKeys, ...: ordering hints the simulator does not need
            }
            if (value is null)
            {
                result.Remove(key);
            }
            else if (strategic && value is JsonArray patchList && result[key] is JsonArray targetList && MergeKeys.TryGetValue(key, out var mergeKey))
            {
                result[key] = MergeList(targetList, patchList, mergeKey);
            }
            else
            {
                result[key] = Apply(result[key]?.DeepClone(), value, strategic);
            }
        }
        return result;
    }

    private static JsonArray MergeList(JsonArray target, JsonArray patch, string mergeKey)
    {
        var merged = (JsonArray)target.DeepClone();
        foreach (var element in patch)
        {
            var keyValue = element?[mergeKey]?.ToJsonString();
            var existing = merged.FirstOrDefault(e => e?[mergeKey]?.ToJsonString() == keyValue && keyValue is not null);
            if (element?["$patch"]?.GetValue<string>() == "delete")
            {
                if (existing is not null)
                {
                    merged.Remove(existing);
                }
                continue;
            }
            if (existing is null)
            {
                merged.Add(element?.DeepClone());
            }
            else
            {
                var index = merged.IndexOf(existing);
                merged[index] = Apply(existing.DeepClone(), element, strategic: true);
            }
        }
        return merged;
    }
}
