using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Kubernetes;

/// <summary>
/// Reads the log of one Job's pod for <see cref="JobFollow"/>: follows it to its end, reconnecting after a drop with no
/// duplicate and no missing line, and hands over each new line with how many lines so far share its timestamp.
/// </summary>
internal sealed partial class PodLogFollower(
    IKubernetes client,
    FollowRequest request,
    KubernetesJobsOptions options,
    TimeProvider time,
    ILogger logger)
{
    private readonly string _ns = request.Namespace;

    /// <summary>Follows the pod's log to its end, reconnecting after a drop with no duplicate and no missing line.</summary>
    public async Task FollowAsync(
        string podName, LogCursor cursor, Func<LogLine, int, CancellationToken, ValueTask> onLine, CancellationToken cancellationToken)
    {
        var final = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            Stream stream;
            try
            {
                stream = await client.CoreV1.ReadNamespacedPodLogAsync(
                    podName, _ns, container: request.Container, follow: !final, timestamps: true,
                    sinceSeconds: cursor.SinceSeconds(time.GetUtcNow(), options.LogResumeOverlap),
                    cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                break;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                LogStreamFailed(logger, e, podName);
                await Task.Delay(options.ReconnectDelay, time, cancellationToken);
                continue;
            }

            cursor.BeginPass();
            try
            {
                await using (stream)
                    await ReadLinesAsync(stream, cursor, onLine, includeUnterminated: final, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                LogStreamFailed(logger, e, podName);
            }

            if (final)
                break;

            // The stream ended: the container finished, or the connection dropped.
            var finished = await ContainerFinishedAsync(podName, cancellationToken);
            if (finished is null)
                break;
            if (finished.Value)
                final = true; // One last plain read catches whatever a dropped stream missed.
            else
                await Task.Delay(options.ReconnectDelay, time, cancellationToken);
        }
    }

    private async Task ReadLinesAsync(
        Stream stream, LogCursor cursor, Func<LogLine, int, CancellationToken, ValueTask> onLine, bool includeUnterminated, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[8192];
        var pending = new StringBuilder();
        while (true)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken);
            if (read == 0)
                break;
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n')
                    continue;
                pending.Append(buffer, start, i - start);
                await EmitAsync(pending.ToString().TrimEnd('\r'), cursor, onLine, cancellationToken);
                pending.Clear();
                start = i + 1;
            }
            pending.Append(buffer, start, read - start);
        }
        // A line cut off by a dropped stream comes again, whole, on the next read; only the log's true end keeps it.
        if (includeUnterminated && pending.Length > 0)
            await EmitAsync(pending.ToString().TrimEnd('\r'), cursor, onLine, cancellationToken);
    }

    private async Task EmitAsync(string raw, LogCursor cursor, Func<LogLine, int, CancellationToken, ValueTask> onLine, CancellationToken cancellationToken)
    {
        if (cursor.Accept(TimestampedLine.Parse(raw), time.GetUtcNow()) is { } line)
            await onLine(line, cursor.LinesAtLastTimestamp, cancellationToken);
    }

    /// <summary>True when the container has ended, false while it runs, null when the pod is gone.</summary>
    private async Task<bool?> ContainerFinishedAsync(string podName, CancellationToken cancellationToken)
    {
        try
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(podName, _ns, cancellationToken: cancellationToken);
            var status = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == request.Container);
            return status?.State?.Terminated is not null || pod.Status?.Phase is "Succeeded" or "Failed";
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log stream of pod {Pod} failed; reconnecting")]
    private static partial void LogStreamFailed(ILogger logger, Exception error, string pod);
}
