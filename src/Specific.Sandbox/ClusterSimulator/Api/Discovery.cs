using System.Text.Json.Nodes;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>The legacy discovery documents (/api, /apis, /api/v1, /apis/g/v, /version) that kubectl reads first.</summary>
internal static class Discovery
{
    private static readonly string[] AllCategory = ["all"];

    public static JsonObject Version(string kubeletVersion) => new()
    {
        ["major"] = "1",
        ["minor"] = kubeletVersion.Split('.')[1],
        ["gitVersion"] = kubeletVersion,
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject Groups() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. GroupNames().Select(g => (JsonNode)Group(g))]),
    };

    public static JsonObject Group(string group)
    {
        var version = ResourceTypes.All.First(r => r.Group == group).Version;
        var gv = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(gv),
            ["preferredVersion"] = gv.DeepClone(),
        };
    }

    public static IEnumerable<string> GroupNames() => ResourceTypes.All.Select(r => r.Group).Where(g => g.Length > 0).Distinct();

    public static JsonObject Resources(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var type in ResourceTypes.All.Where(r => r.Group == group && r.Version == version))
        {
            var entry = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray([.. type.Verbs.Select(v => (JsonNode)v)]),
            };
            if (type.ShortNames.Count > 0)
            {
                entry["shortNames"] = new JsonArray([.. type.ShortNames.Select(s => (JsonNode)s)]);
            }
            if (type == ResourceTypes.Pods || type == ResourceTypes.Deployments || type == ResourceTypes.Jobs || type == ResourceTypes.ReplicaSets)
            {
                entry["categories"] = new JsonArray([.. AllCategory.Select(c => (JsonNode)c)]);
            }
            resources.Add(entry);
            if (!type.ReadOnly && type != ResourceTypes.Events && type != ResourceTypes.ConfigMaps && type != ResourceTypes.Secrets)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = $"{type.Plural}/status",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = type.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }
        resources.Add(new JsonObject { ["name"] = "pods/log", ["singularName"] = "", ["namespaced"] = true, ["kind"] = "Pod", ["verbs"] = new JsonArray("get") });
        if (group.Length > 0)
        {
            resources.RemoveAt(resources.Count - 1);
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
