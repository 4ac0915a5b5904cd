using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Specific.Sandbox.ClusterSimulator.Controllers;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>The write verbs on a resource: create, replace, patch, delete, and delete a collection.</summary>
internal sealed class ResourceWrites(ObjectStore store, GarbageCollector collector)
{
    public async Task CreateAsync(HttpContext context, ResourceType type, string? ns)
    {
        var obj = type.Deserialize(await ApiRequest.ReadBodyAsync(context));
        obj.Metadata ??= new V1ObjectMeta();
        if (type.Namespaced)
        {
            if (obj.Metadata.NamespaceProperty is { Length: > 0 } bodyNs && bodyNs != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            obj.Metadata.NamespaceProperty = ns;
            if (store.GetJson(ResourceTypes.Namespaces, "", ns!) is null)
            {
                throw ApiException.NotFound(ResourceTypes.Namespaces, ns!);
            }
        }
        obj.Metadata.ResourceVersion = null;
        obj.Metadata.Uid = null;
        obj.Metadata.CreationTimestamp = null;
        obj.Metadata.DeletionTimestamp = null;
        Admission.AdmitCreate(type, obj);
        if (context.Request.Query["dryRun"] == "All")
        {
            await ApiResponse.WriteRawAsync(context, 201, KubernetesJson.Serialize(obj));
            return;
        }
        var created = store.Create(obj);
        await ApiResponse.WriteRawAsync(context, 201, KubernetesJson.Serialize(created));
    }

    public async Task ReplaceAsync(HttpContext context, ResourceType type, string? ns, string name, bool statusOnly)
    {
        var obj = type.Deserialize(await ApiRequest.ReadBodyAsync(context));
        if (obj.Metadata?.Name != name)
        {
            throw ApiException.BadRequest("the name of the object does not match the name on the URL");
        }
        obj.Metadata.NamespaceProperty = ns;
        var current = store.GetJson(type, ns ?? "", name) is { } json ? type.Deserialize(json) : throw ApiException.NotFound(type, name);
        // A PUT to the main resource cannot change status, and a PUT to /status cannot change anything else.
        var replacement = statusOnly ? type.Deserialize(KubernetesJson.Serialize(current)) : obj;
        var status = type.ModelType.GetProperty("Status");
        if (status is not null && status.PropertyType != typeof(string))
        {
            status.SetValue(replacement, status.GetValue(statusOnly ? obj : current));
        }
        replacement.Metadata.ResourceVersion = obj.Metadata.ResourceVersion;
        await ApiResponse.WriteRawAsync(context, 200, store.Replace(type, replacement));
    }

    /// <summary>Merge patch, and strategic merge patch with the merge keys of the lists kubectl patches.</summary>
    public async Task PatchAsync(HttpContext context, ResourceType type, string? ns, string name, bool statusOnly)
    {
        var contentType = context.Request.ContentType ?? "";
        if (!contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal)
            && !contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal))
        {
            throw new ApiException(ApiException.Failure(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json"));
        }
        var patch = JsonNode.Parse(await ApiRequest.ReadBodyAsync(context));
        var current = store.GetJson(type, ns ?? "", name) ?? throw ApiException.NotFound(type, name);
        var strategic = contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal);
        var merged = MergePatch.Apply(JsonNode.Parse(current), patch, strategic);
        var obj = type.Deserialize(merged!.ToJsonString());
        if (obj.Metadata?.Name != name)
        {
            throw ApiException.BadRequest("metadata.name cannot be changed by a patch");
        }
        var stored = type.Deserialize(current);
        var status = type.ModelType.GetProperty("Status");
        if (status is not null && status.PropertyType != typeof(string))
        {
            // A patch of the main resource cannot change status, and a patch of /status cannot change anything else.
            var target = statusOnly ? stored : obj;
            status.SetValue(target, status.GetValue(statusOnly ? obj : stored));
            obj = target;
        }
        // Only a resourceVersion written into the patch itself asks for optimistic concurrency.
        obj.Metadata.ResourceVersion = patch?["metadata"]?["resourceVersion"]?.GetValue<string>();
        await ApiResponse.WriteRawAsync(context, 200, store.Replace(type, obj));
    }

    public async Task DeleteCollectionAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var (all, resourceVersion) = store.Snapshot(type, ns);
        var matched = ApiRequest.Filter(type, all, query["labelSelector"], query["fieldSelector"]);
        var policy = query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : null;
        var deleted = new List<string>();
        foreach (var json in matched)
        {
            var obj = type.Deserialize(json);
            try
            {
                collector.Delete(type, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name, policy, null);
                deleted.Add(json);
            }
            catch (ApiException)
            {
                // Gone in the meantime.
            }
        }
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"{{\"kind\":\"{type.Kind}List\",\"apiVersion\":\"{type.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{resourceVersion}\"}},\"items\":[");
        body.AppendJoin(',', deleted).Append("]}");
        await ApiResponse.WriteRawAsync(context, 200, body.ToString());
    }

    public async Task DeleteAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var query = context.Request.Query;
        V1DeleteOptions? body = null;
        var text = await ApiRequest.ReadBodyAsync(context);
        if (text.Length > 0)
        {
            body = KubernetesJson.Deserialize<V1DeleteOptions>(text);
        }
        var policy = query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : body?.PropagationPolicy;
        if (policy is null && (query["orphanDependents"] == "true" || body?.OrphanDependents == true))
        {
            policy = GarbageCollector.Orphan;
        }
        if (policy is not (null or GarbageCollector.Orphan or GarbageCollector.Background or GarbageCollector.Foreground))
        {
            throw ApiException.Invalid(type, name, [FieldError.NotSupported("propagationPolicy", policy, [GarbageCollector.Foreground, GarbageCollector.Background, GarbageCollector.Orphan, "nil"])]);
        }
        long? grace = long.TryParse(query["gracePeriodSeconds"], CultureInfo.InvariantCulture, out var g) ? g : body?.GracePeriodSeconds;

        var result = collector.Delete(type, ns ?? "", name, policy, grace);
        await ApiResponse.WriteRawAsync(context, 200, result);
    }
}
