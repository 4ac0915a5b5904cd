using System.Globalization;
using Microsoft.AspNetCore.Http;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>A watch: the changes to a resource streamed as JSON lines from a resourceVersion on, until the client leaves or timeoutSeconds passes.</summary>
internal sealed class WatchStream(ObjectStore store, SimulatorClock clock)
{
    public async Task WatchAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var selects = ApiRequest.Selects(type, query["labelSelector"], query["fieldSelector"]);
        var asTable = TableRenderer.IsRequested(context.Request.Headers.Accept);
        var from = ApiRequest.ParseResourceVersion(query["resourceVersion"]);
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
            await ApiResponse.WriteLineAsync(context, $"{{\"type\":\"ERROR\",\"object\":{StatusJson.Serialize(gone.Status)}}}", context.RequestAborted);
            return;
        }

        using (subscription)
        {
            await context.Response.Body.FlushAsync(context.RequestAborted);
            var first = true;
            try
            {
                await foreach (var change in subscription.Channel.Reader.ReadAllAsync(timeout.Token))
                {
                    var payload = asTable
                        ? TableRenderer.Render(type, [change.Json], change.ResourceVersion, query["includeObject"], clock.UtcNow, includeHeaders: first).ToJsonString(ApiResponse.Compact)
                        : change.Json;
                    first = false;
                    await ApiResponse.WriteLineAsync(context, $"{{\"type\":\"{change.Type}\",\"object\":{payload}}}", timeout.Token);
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                // timeoutSeconds elapsed: the API server ends the watch cleanly.
            }
        }
    }
}
