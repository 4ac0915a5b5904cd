using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Specific.Sandbox.ClusterSimulator.Controllers;
using Specific.Sandbox.ClusterSimulator.Kubelet;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>The REST surface: routes a request path to discovery, a resource verb, a watch or a pod log.</summary>
internal sealed class ApiServer(ObjectStore store, SimulatorClock clock, GarbageCollector collector, PodLogs logs, ClusterSimulatorOptions options)
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (ApiException refusal)
        {
            if (!context.Response.HasStarted)
            {
                await WriteStatusAsync(context, refusal.Status).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-stream (watch or follow); nothing left to answer.
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value?.Trim('/') ?? "";
        var segments = path.Length == 0 ? [] : path.Split('/');
        switch (segments)
        {
            case ["version"]:
                await WriteJsonAsync(context, 200, Discovery.Version(options.KubeletVersion)).ConfigureAwait(false);
                return;
            case ["api"]:
                await WriteJsonAsync(context, 200, Discovery.CoreVersions($"{context.Request.Host}")).ConfigureAwait(false);
                return;
            case ["apis"]:
                await WriteJsonAsync(context, 200, Discovery.Groups()).ConfigureAwait(false);
                return;
            case ["api", "v1"]:
                await WriteJsonAsync(context, 200, Discovery.Resources("", "v1")).ConfigureAwait(false);
                return;
            case ["apis", var group] when Discovery.GroupNames().Contains(group):
                await WriteJsonAsync(context, 200, Discovery.Group(group)).ConfigureAwait(false);
                return;
            case ["apis", var group, var version] when ResourceTypes.All.Any(r => r.Group == group && r.Version == version):
                await WriteJsonAsync(context, 200, Discovery.Resources(group, version)).ConfigureAwait(false);
                return;
            case ["api", "v1", .. var rest]:
                await ResourceAsync(context, "", "v1", rest).ConfigureAwait(false);
                return;
            case ["apis", var group, var version, .. var rest]:
                await ResourceAsync(context, group, version, rest).ConfigureAwait(false);
                return;
            default:
                throw ApiException.PathNotFound();
        }
    }

    private async Task ResourceAsync(HttpContext context, string group, string version, string[] rest)
    {
        // /namespaces/{ns}/{plural}[/{name}[/{sub}]] or /{plural}[/{name}[/{sub}]]
        string? ns = null;
        if (rest is ["namespaces", var n, _, ..])
        {
            ns = n;
            rest = rest[2..];
        }
        var type = rest.Length > 0 ? ResourceTypes.Find(group, version, rest[0]) : null;
        if (type is null || (ns is not null && !type.Namespaced) || rest.Length > 3)
        {
            throw ApiException.PathNotFound();
        }
        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        var method = context.Request.Method;

        if (subresource is "log" && type == ResourceTypes.Pods && method == "GET")
        {
            await StreamLogAsync(context, ns ?? "default", name!).ConfigureAwait(false);
            return;
        }
        if (subresource is not null and not "status")
        {
            throw ApiException.PathNotFound();
        }

        switch (method, name)
        {
            case ("GET", null) when IsWatch(context.Request):
                await WatchAsync(context, type, ns).ConfigureAwait(false);
                return;
            case ("GET", null):
                await ListAsync(context, type, ns).ConfigureAwait(false);
                return;
            case ("GET", _):
                await GetAsync(context, type, ns, name).ConfigureAwait(false);
                return;
            case ("POST", null) when !type.ReadOnly:
                await CreateAsync(context, type, ns).ConfigureAwait(false);
                return;
            case ("PUT", not null) when !type.ReadOnly:
                await ReplaceAsync(context, type, ns, name, subresource == "status").ConfigureAwait(false);
                return;
            case ("PATCH", not null) when !type.ReadOnly:
                await PatchAsync(context, type, ns, name, subresource == "status").ConfigureAwait(false);
                return;
            case ("DELETE", not null) when !type.ReadOnly:
                await DeleteAsync(context, type, ns, name).ConfigureAwait(false);
                return;
            case ("DELETE", null) when !type.ReadOnly:
                await DeleteCollectionAsync(context, type, ns).ConfigureAwait(false);
                return;
            default:
                throw ApiException.MethodNotAllowed();
        }
    }

    private async Task GetAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var json = store.GetJson(type, ns ?? "", name) ?? throw ApiException.NotFound(type, name);
        if (type == ResourceTypes.Secrets && IsForbiddenToRead(json))
        {
            throw ApiException.Forbidden(type, "get", name, ns);
        }
        if (TableRenderer.IsRequested(context.Request.Headers.Accept))
        {
            var table = TableRenderer.Render(type, [json], store.CurrentResourceVersion, context.Request.Query["includeObject"], clock.UtcNow);
            await WriteJsonAsync(context, 200, table).ConfigureAwait(false);
            return;
        }
        await WriteRawAsync(context, 200, json).ConfigureAwait(false);
    }

    /// <summary>A Secret scripted to be unreadable through the API (<see cref="ScriptedConditions.Forbidden"/>).</summary>
    private static bool IsForbiddenToRead(string json) =>
        JsonNode.Parse(json)?["metadata"]?["annotations"]?[ScriptedConditions.SimulateAnnotation]?.GetValue<string>() == ScriptedConditions.Forbidden;

    private async Task ListAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var requestedVersion = ParseResourceVersion(query["resourceVersion"]);
        if (requestedVersion is { } exact && query["resourceVersionMatch"] == "Exact" && exact != store.CurrentResourceVersion)
        {
            // The simulator keeps changes, not snapshots: an exact historical list is only possible at "now".
            throw store.IsCompacted(exact)
                ? ApiException.Gone($"too old resource version: {exact} ({store.CurrentResourceVersion})")
                : ApiException.BadRequest($"resourceVersionMatch=Exact is only served for the current resourceVersion {store.CurrentResourceVersion}");
        }

        var (all, resourceVersion) = store.Snapshot(type, ns);
        var items = Filter(type, all, query["labelSelector"], query["fieldSelector"]);
        string? continueToken = null;
        var offset = 0;
        if (query["continue"] is { Count: > 0 } token && token.ToString().Length > 0)
        {
            (offset, var listedAt) = DecodeContinue(token.ToString());
            if (store.IsCompacted(listedAt))
            {
                throw ApiException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            }
        }
        var page = items.Skip(offset).ToList();
        if (int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var limit) && limit > 0 && page.Count > limit)
        {
            page = page.Take(limit).ToList();
            continueToken = EncodeContinue(offset + limit, resourceVersion);
        }

        if (TableRenderer.IsRequested(context.Request.Headers.Accept))
        {
            var table = TableRenderer.Render(type, page, resourceVersion, query["includeObject"], clock.UtcNow);
            if (continueToken is not null)
            {
                ((JsonObject)table["metadata"]!)["continue"] = continueToken;
            }
            await WriteJsonAsync(context, 200, table).ConfigureAwait(false);
            return;
        }

        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{{\"kind\":\"{type.Kind}List\",\"apiVersion\":\"{type.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{resourceVersion}\"");
        if (continueToken is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $",\"continue\":\"{continueToken}\"");
        }
        builder.Append("},\"items\":[").AppendJoin(',', page).Append("]}");
        await WriteRawAsync(context, 200, builder.ToString()).ConfigureAwait(false);
    }

    private static List<string> Filter(ResourceType type, IEnumerable<StoredObject> items, string? labelSelector, string? fieldSelector)
    {
        var selects = Selects(type, labelSelector, fieldSelector);
        return [.. items.Where(selects).Select(o => o.Json)];
    }

    private static Func<StoredObject, bool> Selects(ResourceType type, string? labelSelector, string? fieldSelector)
    {
        var labels = LabelSelector.Parse(labelSelector);
        var fields = FieldSelector.Parse(fieldSelector, type);
        return o => labels.Matches(o.Labels) && fields.Matches(o.Fields);
    }

    private async Task WatchAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var selects = Selects(type, query["labelSelector"], query["fieldSelector"]);
        var asTable = TableRenderer.IsRequested(context.Request.Headers.Accept);
        var from = ParseResourceVersion(query["resourceVersion"]);
        if (from == 0)
        {
            from = null; // "0" means "any version": start from the current state, as the watch cache does.
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-cache, private";

        ObjectStore.Subscription subscription;
        try
        {
            subscription = store.Watch(type, ns, from, selects);
        }
        catch (ApiException gone)
        {
            // Watches are refused inside the stream: one ERROR event carrying the Status, then the end.
            await WriteLineAsync(context, $"{{\"type\":\"ERROR\",\"object\":{StatusJson.Serialize(gone.Status)}}}", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using (subscription)
        {
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            var first = true;
            try
            {
                await foreach (var change in subscription.Channel.Reader.ReadAllAsync(timeout.Token).ConfigureAwait(false))
                {
                    var payload = asTable
                        ? TableRenderer.Render(type, [change.Json], change.ResourceVersion, query["includeObject"], clock.UtcNow, includeHeaders: first).ToJsonString(Compact)
                        : change.Json;
                    first = false;
                    await WriteLineAsync(context, $"{{\"type\":\"{change.Type}\",\"object\":{payload}}}", timeout.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                // timeoutSeconds elapsed: the API server ends the watch cleanly.
            }
        }
    }

    private async Task CreateAsync(HttpContext context, ResourceType type, string? ns)
    {
        var obj = type.Deserialize(await ReadBodyAsync(context).ConfigureAwait(false));
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
            await WriteRawAsync(context, 201, KubernetesJson.Serialize(obj)).ConfigureAwait(false);
            return;
        }
        var created = store.Create(obj);
        await WriteRawAsync(context, 201, KubernetesJson.Serialize(created)).ConfigureAwait(false);
    }

    private async Task ReplaceAsync(HttpContext context, ResourceType type, string? ns, string name, bool statusOnly)
    {
        var obj = type.Deserialize(await ReadBodyAsync(context).ConfigureAwait(false));
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
        await WriteRawAsync(context, 200, store.Replace(type, replacement)).ConfigureAwait(false);
    }

    /// <summary>Merge patch, and strategic merge patch with the merge keys of the lists kubectl patches.</summary>
    private async Task PatchAsync(HttpContext context, ResourceType type, string? ns, string name, bool statusOnly)
    {
        var contentType = context.Request.ContentType ?? "";
        if (!contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal)
            && !contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal))
        {
            throw new ApiException(ApiException.Failure(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json"));
        }
        var patch = JsonNode.Parse(await ReadBodyAsync(context).ConfigureAwait(false));
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
        await WriteRawAsync(context, 200, store.Replace(type, obj)).ConfigureAwait(false);
    }

    private async Task DeleteCollectionAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var (all, resourceVersion) = store.Snapshot(type, ns);
        var matched = Filter(type, all, query["labelSelector"], query["fieldSelector"]);
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
        await WriteRawAsync(context, 200, body.ToString()).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var query = context.Request.Query;
        V1DeleteOptions? body = null;
        var text = await ReadBodyAsync(context).ConfigureAwait(false);
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
        await WriteRawAsync(context, 200, result).ConfigureAwait(false);
    }

    private async Task StreamLogAsync(HttpContext context, string ns, string name)
    {
        var query = context.Request.Query;
        var pod = store.Get<V1Pod>(ns, name) ?? throw ApiException.NotFound(ResourceTypes.Pods, name);
        var containers = pod.Spec.Containers.Select(c => c.Name).ToList();
        var container = query["container"].ToString();
        if (container.Length == 0)
        {
            if (containers.Count != 1)
            {
                throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]");
            }
            container = containers[0];
        }
        else if (!containers.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {name}");
        }
        if (pod.Spec.NodeName is null)
        {
            throw ApiException.BadRequest($"pod {name} does not have a host assigned");
        }
        var state = pod.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == container)?.State;
        if (state?.Running is null && state?.Terminated is null)
        {
            var waiting = state?.Waiting?.Reason ?? "ContainerCreating";
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: {waiting}");
        }

        var follow = query["follow"] == "true";
        var timestamps = query["timestamps"] == "true";
        int? tail = int.TryParse(query["tailLines"], CultureInfo.InvariantCulture, out var t) ? t : null;
        DateTime? since = long.TryParse(query["sinceSeconds"], CultureInfo.InvariantCulture, out var s) ? clock.UtcNow.AddSeconds(-s) : null;
        long? limitBytes = long.TryParse(query["limitBytes"], CultureInfo.InvariantCulture, out var lb) ? lb : null;

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        var log = logs.Find(pod.Metadata.Uid, container);
        if (log is null)
        {
            return; // a container that runs no process (a Deployment's pod) has an empty log
        }
        var limit = limitBytes ?? long.MaxValue;
        long written = 0;
        var chunk = new ArrayBufferWriter<byte>(LogChunkBytes);
        await foreach (var run in log.ReadAsync(follow, tail, since, context.RequestAborted).ConfigureAwait(false))
        {
            foreach (var line in run)
            {
                if (timestamps)
                {
                    Encoding.UTF8.GetBytes(PodLogs.FormatTimestamp(line.Timestamp) + " ", chunk);
                }
                Encoding.UTF8.GetBytes(line.Text, chunk);
                chunk.Write("\n"u8);
                if (written + chunk.WrittenCount >= limit || chunk.WrittenCount >= LogChunkBytes)
                {
                    written += await WriteLogChunkAsync(context, chunk, limit - written).ConfigureAwait(false);
                    if (written >= limit)
                    {
                        return;
                    }
                }
            }
            written += await WriteLogChunkAsync(context, chunk, limit - written).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            if (written >= limit)
            {
                return;
            }
        }
    }

    /// <summary>A pod log goes out in chunks of about this size, and is flushed whenever the reader has caught up.</summary>
    private const int LogChunkBytes = 32 * 1024;

    /// <summary>Writes the chunk, cut at <paramref name="room"/> bytes (limitBytes), and empties it; returns the bytes written.</summary>
    private static async Task<long> WriteLogChunkAsync(HttpContext context, ArrayBufferWriter<byte> chunk, long room)
    {
        var bytes = chunk.WrittenMemory[..(int)Math.Min(chunk.WrittenCount, room)];
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        chunk.ResetWrittenCount();
        return bytes.Length;
    }

    private static bool IsWatch(HttpRequest request) => request.Query["watch"].ToString() is "true" or "1";

    private static long? ParseResourceVersion(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return long.TryParse(value, CultureInfo.InvariantCulture, out var rv) && rv >= 0
            ? rv
            : throw ApiException.BadRequest($"invalid resource version: {value}");
    }

    private static string EncodeContinue(int offset, long resourceVersion) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"v\":\"meta.k8s.io/v1\",\"rv\":{resourceVersion},\"start\":{offset}}}"));

    private static (int Offset, long ResourceVersion) DecodeContinue(string token)
    {
        try
        {
            var node = JsonNode.Parse(Convert.FromBase64String(token))!;
            return (node["start"]!.GetValue<int>(), node["rv"]!.GetValue<long>());
        }
        catch (Exception e) when (e is FormatException or JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {e.Message}");
        }
    }

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteLineAsync(HttpContext context, string line, CancellationToken cancellationToken)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteStatusAsync(HttpContext context, V1Status status) =>
        WriteRawAsync(context, status.Code ?? 500, StatusJson.Serialize(status));

    private static Task WriteJsonAsync(HttpContext context, int code, JsonNode node) => WriteRawAsync(context, code, node.ToJsonString(Compact));

    private static async Task WriteRawAsync(HttpContext context, int code, string json)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }
}
