using Microsoft.AspNetCore.Http;
using Specific.Sandbox.ClusterSimulator.Controllers;
using Specific.Sandbox.ClusterSimulator.Kubelet;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>The REST surface: routes a request path to discovery, a resource verb, a watch or a pod log.</summary>
internal sealed class ApiServer(ObjectStore store, SimulatorClock clock, GarbageCollector collector, PodLogs logs, ClusterSimulatorOptions options)
{
    private readonly ResourceReads _reads = new(store, clock);
    private readonly ResourceWrites _writes = new(store, collector);
    private readonly WatchStream _watches = new(store, clock);
    private readonly PodLogStream _logs = new(store, clock, logs);

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context);
        }
        catch (ApiException refusal)
        {
            if (!context.Response.HasStarted)
            {
                await ApiResponse.WriteStatusAsync(context, refusal.Status);
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
                await ApiResponse.WriteJsonAsync(context, 200, Discovery.Version(options.KubeletVersion));
                return;
            case ["api"]:
                await ApiResponse.WriteJsonAsync(context, 200, Discovery.CoreVersions($"{context.Request.Host}"));
                return;
            case ["apis"]:
                await ApiResponse.WriteJsonAsync(context, 200, Discovery.Groups());
                return;
            case ["api", "v1"]:
                await ApiResponse.WriteJsonAsync(context, 200, Discovery.Resources("", "v1"));
                return;
            case ["apis", var group] when Discovery.GroupNames().Contains(group):
                await ApiResponse.WriteJsonAsync(context, 200, Discovery.Group(group));
                return;
            case ["apis", var group, var version] when ResourceTypes.All.Any(r => r.Group == group && r.Version == version):
                await ApiResponse.WriteJsonAsync(context, 200, Discovery.Resources(group, version));
                return;
            case ["api", "v1", .. var rest]:
                await ResourceAsync(context, "", "v1", rest);
                return;
            case ["apis", var group, var version, .. var rest]:
                await ResourceAsync(context, group, version, rest);
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
            await _logs.StreamLogAsync(context, ns ?? "default", name!);
            return;
        }
        if (subresource is not null and not "status")
        {
            throw ApiException.PathNotFound();
        }

        switch (method, name)
        {
            case ("GET", null) when ApiRequest.IsWatch(context.Request):
                await _watches.WatchAsync(context, type, ns);
                return;
            case ("GET", null):
                await _reads.ListAsync(context, type, ns);
                return;
            case ("GET", _):
                await _reads.GetAsync(context, type, ns, name);
                return;
            case ("POST", null) when !type.ReadOnly:
                await _writes.CreateAsync(context, type, ns);
                return;
            case ("PUT", not null) when !type.ReadOnly:
                await _writes.ReplaceAsync(context, type, ns, name, subresource == "status");
                return;
            case ("PATCH", not null) when !type.ReadOnly:
                await _writes.PatchAsync(context, type, ns, name, subresource == "status");
                return;
            case ("DELETE", not null) when !type.ReadOnly:
                await _writes.DeleteAsync(context, type, ns, name);
                return;
            case ("DELETE", null) when !type.ReadOnly:
                await _writes.DeleteCollectionAsync(context, type, ns);
                return;
            default:
                throw ApiException.MethodNotAllowed();
        }
    }
}
