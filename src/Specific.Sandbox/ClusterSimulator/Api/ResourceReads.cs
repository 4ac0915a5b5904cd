using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Specific.Sandbox.ClusterSimulator.Kubelet;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>The read verbs on a resource: get one object, and list many, paged by continue token, as JSON or as a table.</summary>
internal sealed class ResourceReads(ObjectStore store, SimulatorClock clock)
{
    public async Task GetAsync(HttpContext context, ResourceType type, string? ns, string name)
    {
        var json = store.GetJson(type, ns ?? "", name) ?? throw ApiException.NotFound(type, name);
        if (type == ResourceTypes.Secrets && IsForbiddenToRead(json))
        {
            throw ApiException.Forbidden(type, "get", name, ns);
        }
        if (TableRenderer.IsRequested(context.Request.Headers.Accept))
        {
            var table = TableRenderer.Render(type, [json], store.CurrentResourceVersion, context.Request.Query["includeObject"], clock.UtcNow);
            await ApiResponse.WriteJsonAsync(context, 200, table);
            return;
        }
        await ApiResponse.WriteRawAsync(context, 200, json);
    }

    /// <summary>A Secret scripted to be unreadable through the API (<see cref="ScriptedConditions.Forbidden"/>).</summary>
    private static bool IsForbiddenToRead(string json) =>
        JsonNode.Parse(json)?["metadata"]?["annotations"]?[ScriptedConditions.SimulateAnnotation]?.GetValue<string>() == ScriptedConditions.Forbidden;

    public async Task ListAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var requestedVersion = ApiRequest.ParseResourceVersion(query["resourceVersion"]);
        if (requestedVersion is { } exact && query["resourceVersionMatch"] == "Exact" && exact != store.CurrentResourceVersion)
        {
            // The simulator keeps changes, not snapshots: an exact historical list is only possible at "now".
            throw store.IsCompacted(exact)
                ? ApiException.Gone($"too old resource version: {exact} ({store.CurrentResourceVersion})")
                : ApiException.BadRequest($"resourceVersionMatch=Exact is only served for the current resourceVersion {store.CurrentResourceVersion}");
        }

        var (all, resourceVersion) = store.Snapshot(type, ns);
        var items = ApiRequest.Filter(type, all, query["labelSelector"], query["fieldSelector"]);
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
            await ApiResponse.WriteJsonAsync(context, 200, table);
            return;
        }

        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{{\"kind\":\"{type.Kind}List\",\"apiVersion\":\"{type.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{resourceVersion}\"");
        if (continueToken is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $",\"continue\":\"{continueToken}\"");
        }
        builder.Append("},\"items\":[").AppendJoin(',', page).Append("]}");
        await ApiResponse.WriteRawAsync(context, 200, builder.ToString());
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
}
