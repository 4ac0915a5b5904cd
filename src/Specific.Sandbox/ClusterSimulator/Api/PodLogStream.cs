using System.Buffers;
using System.Globalization;
using System.Text;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Specific.Sandbox.ClusterSimulator.Kubelet;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>A pod's log over the API: checks the container, then streams its lines (tail, since, timestamps, limitBytes, follow).</summary>
internal sealed class PodLogStream(ObjectStore store, SimulatorClock clock, PodLogs logs)
{
    /// <summary>A pod log goes out in chunks of about this size, and is flushed whenever the reader has caught up.</summary>
    private const int LogChunkBytes = 32 * 1024;

    public async Task StreamLogAsync(HttpContext context, string ns, string name)
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
        await context.Response.Body.FlushAsync(context.RequestAborted);
        var log = logs.Find(pod.Metadata.Uid, container);
        if (log is null)
        {
            return; // a container that runs no process (a Deployment's pod) has an empty log
        }
        var limit = limitBytes ?? long.MaxValue;
        long written = 0;
        var chunk = new ArrayBufferWriter<byte>(LogChunkBytes);
        await foreach (var run in log.ReadAsync(follow, tail, since, context.RequestAborted))
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
                    written += await WriteLogChunkAsync(context, chunk, limit - written);
                    if (written >= limit)
                    {
                        return;
                    }
                }
            }
            written += await WriteLogChunkAsync(context, chunk, limit - written);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (written >= limit)
            {
                return;
            }
        }
    }

    /// <summary>Writes the chunk, cut at <paramref name="room"/> bytes (limitBytes), and empties it; returns the bytes written.</summary>
    private static async Task<long> WriteLogChunkAsync(HttpContext context, ArrayBufferWriter<byte> chunk, long room)
    {
        var bytes = chunk.WrittenMemory[..(int)Math.Min(chunk.WrittenCount, room)];
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        chunk.ResetWrittenCount();
        return bytes.Length;
    }
}
