using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Specific.Jobs.Kubernetes;

/// <summary>
/// One resource's list → watch from resourceVersion for <see cref="JobFollow"/>. A watch that simply ends, with or
/// without events, is opened again from the last version seen (the server's history fills the gap); one told 410 Gone,
/// or failing otherwise, lists again first.
/// </summary>
internal sealed partial class ResourceWatch(FollowRequest request, KubernetesJobsOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>Lists and watches until cancelled, writing what it sees to <paramref name="signals"/>; a refusal is written as <paramref name="fatal"/> and ends it.</summary>
    public async Task RunAsync<T, TSignal>(
        KubernetesApiCall listCall,
        Func<CancellationToken, Task<(List<T> Items, string? ResourceVersion)>> list,
        Func<string?, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        Func<IReadOnlyList<T>, TSignal> listed,
        Func<WatchEventType, T, TSignal?> changed,
        Func<string, TSignal> fatal,
        ChannelWriter<TSignal> signals,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
        where TSignal : class
    {
        string? resourceVersion = null;
        var mustList = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (mustList)
            {
                (List<T> Items, string? ResourceVersion) snapshot;
                try
                {
                    snapshot = await list(cancellationToken);
                }
                catch (HttpOperationException e) when (KubernetesJobs.IsDenied(e))
                {
                    await signals.WriteAsync(fatal(KubernetesJobs.Forbidden(e, listCall, request.Namespace).Message), cancellationToken);
                    return;
                }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    ListFailed(logger, e, listCall.Resource, request.JobName);
                    await Task.Delay(options.ReconnectDelay, time, cancellationToken);
                    continue;
                }
                await signals.WriteAsync(listed(snapshot.Items), cancellationToken);
                resourceVersion = snapshot.ResourceVersion;
                mustList = false;
            }

            Exception? error = null;
            using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await foreach (var (type, item) in watch(resourceVersion, e =>
                               {
                                   error = e;
                                   watchStop.Cancel();
                               }, watchStop.Token))
                {
                    if (item?.Metadata?.ResourceVersion is { } rv)
                        resourceVersion = rv;
                    if (type is WatchEventType.Bookmark or WatchEventType.Error)
                        continue;
                    if (changed(type, item!) is { } signal)
                        await signals.WriteAsync(signal, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // onError stopped the watch; the error is in `error`.
            }
            catch (HttpOperationException e) when (KubernetesJobs.IsDenied(e))
            {
                await signals.WriteAsync(fatal(KubernetesJobs.Forbidden(e, listCall with { Verb = "watch" }, request.Namespace).Message), cancellationToken);
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                error = e;
            }

            if (cancellationToken.IsCancellationRequested)
                return;
            if (EndedBeforeItsFirstEvent(error))
                error = null;
            if (error is KubernetesException { Status.Code: 410 } or HttpOperationException { Response.StatusCode: HttpStatusCode.Gone })
            {
                WatchGone(logger, listCall.Resource, request.JobName);
                mustList = true;
                continue;
            }
            if (error is not null)
            {
                // The version may be what the server chokes on; a fresh list is always safe.
                WatchFailed(logger, error, listCall.Resource, request.JobName);
                mustList = true;
            }
            else
            {
                WatchEnded(logger, listCall.Resource, request.JobName, resourceVersion);
            }
            // A short pause, so a server that ends every watch at once is not hammered; nothing is lost meanwhile.
            await Task.Delay(options.ReconnectDelay, time, cancellationToken);
        }
    }

    /// <summary>
    /// KubernetesClient reads a watch's first line inside the request itself, and reports a response that ends before
    /// that line as an HttpRequestException over an EndOfStreamException. The server ended the watch cleanly, with
    /// nothing to say: a quiet watch reaching its timeoutSeconds, or one the server closed. Like any clean end, it is
    /// watched again from the last version seen; listing again would cost a list per quiet watch and warn for nothing.
    /// </summary>
    private static bool EndedBeforeItsFirstEvent(Exception? error) =>
        error is HttpRequestException { InnerException: EndOfStreamException };

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource} for {JobName} got 410 Gone; listing again")]
    private static partial void WatchGone(ILogger logger, string resource, string jobName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch of {Resource} for {JobName} ended; watching again from {ResourceVersion}")]
    private static partial void WatchEnded(ILogger logger, string resource, string jobName, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Resource} for {JobName} failed; listing again")]
    private static partial void WatchFailed(ILogger logger, Exception error, string resource, string jobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing {Resource} for {JobName} failed; retrying")]
    private static partial void ListFailed(ILogger logger, Exception error, string resource, string jobName);
}
