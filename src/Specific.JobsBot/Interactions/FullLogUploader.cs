using Microsoft.Extensions.Options;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Interactions;

/// <summary>
/// The Full log button and <c>job logs --file</c>, once <see cref="Guardrails.LogAccess"/> allowed the read: the whole
/// log, read from the log store (so it works long after the pod is gone), redacted, streamed into a temporary file
/// capped at <see cref="LogsOptions.FullLogMaxBytes"/> (never all in memory), then uploaded into the job's thread and
/// nowhere else. Asked for from another channel, the file still goes into the job's thread and the person is told
/// its link privately: a file completed with no channel is private to the bot in Slack (nobody else could open its
/// link), and sharing into a DM (<c>channels=&lt;user id&gt;</c>) is not something the Slack stand-in offers.
/// </summary>
public sealed partial class FullLogUploader(
    IJobStore jobs,
    IThreadStore threads,
    ILogStore logs,
    IJobRedaction redaction,
    IOptions<LogsOptions> options,
    SlackWebClient slack,
    ILogger<FullLogUploader> logger,
    IOptions<RetentionOptions>? retention = null,
    TimeProvider? time = null)
{
    private readonly LogRetentionAge _retention = new(retention, options, time);

    /// <param name="channelId">Where it was asked for.</param>
    /// <param name="threadTs">The thread the button sits in (in <paramref name="channelId"/>); null to find the job's thread.</param>
    public async Task UploadAsync(string jobId, string channelId, string? threadTs, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replyTo);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            await slack.TellAsync(replyTo, $":x: No job `{jobId}`.", cancellationToken);
            return;
        }

        var thread = await threads.GetAsync(job.Id, cancellationToken);
        var jobChannel = thread?.ChannelId ?? job.Origin.ChannelId;
        var askedInJobChannel = string.Equals(jobChannel, channelId, StringComparison.Ordinal);
        (string Channel, string? Ts)? into = (askedInJobChannel, threadTs, thread) switch
        {
            (true, { } ts, _) => (channelId, ts),
            (_, _, { ChannelId: { } threadChannel, MessageTs: { } messageTs }) => (threadChannel, messageTs),
            (true, _, _) => (channelId, null),
            _ => null,
        };
        if (into is not { } destination)
        {
            // Never into the channel it was asked from: only the job's own channel may see its log.
            await slack.TellAsync(replyTo, $":hourglass: Job `{job.Id}` has no message in its channel yet, so there is no thread to put its log in. Try again once it shows, or use `/specific job logs {job.Id}`.", cancellationToken);
            return;
        }

        var path = Path.Combine(Path.GetTempPath(), $"specific-{job.Id}-{Guid.NewGuid():N}.log");
        try
        {
            var redactor = await redaction.ForJobAsync(job, cancellationToken);
            FullLogSummary written;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                written = await FullLogFile.WriteAsync(file, job, logs, redactor, options.Value.FullLogMaxBytes, cancellationToken);
            }

            if (written.Lines == 0 && !written.WasCut)
            {
                // Past the retention, the lines were deleted: say so, as `job logs` does, rather than that it printed nothing.
                await slack.TellAsync(
                    replyTo,
                    _retention.EndedDaysAgo(job) is { } endedDaysAgo
                        ? $"Job `{job.Id}` ended. {_retention.LinesDeleted(endedDaysAgo)}"
                        : $"Job `{job.Id}` has no output stored.",
                    cancellationToken);
                return;
            }

            await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
            var title = $"{(job.Name is null ? job.Id : redactor.Redact(job.Name))} on {job.Service} ({job.Environment}): "
                + (written.WasCut ? $"{written.Lines:N0} lines, {written.CutLines:N0} cut" : $"{written.Lines:N0} lines");
            await slack.UploadFileAsync(destination.Channel, destination.Ts, $"{job.Id}.log", title, content, content.Length, cancellationToken);
            if (!askedInJobChannel)
            {
                await TellWhereAsync(job.Id, destination, replyTo, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUploadFailed(ex, job.Id);
            var why = ex switch
            {
                SlackApiException { Error: "not_in_channel" or "channel_not_found" } => "the bot is not in this channel: `/invite` it, or use the Full log button on the job message",
                SlackApiException api => $"Slack answered {api.Error}",
                _ => "the log store or Slack did not answer",
            };
            await slack.TellAsync(replyTo, $":x: Couldn't upload the log of `{job.Id}` ({why}). Try again in a moment.", CancellationToken.None);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Tells the person who asked from elsewhere, privately, where the file went, with a link when Slack gives one.</summary>
    private async Task TellWhereAsync(string jobId, (string Channel, string? Ts) destination, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        var link = "";
        if (destination.Ts is { } ts)
        {
            try
            {
                link = $": <{await slack.GetPermalinkAsync(destination.Channel, ts, cancellationToken)}|open the thread>";
            }
            catch (SlackApiException ex)
            {
                LogPermalinkFailed(ex, jobId);
            }
        }

        await slack.TellAsync(replyTo, $":page_facing_up: The whole log of `{jobId}` is now a file in its thread in <#{destination.Channel}>{link}.", cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the link of job {JobId}'s thread; the person is told where the file is without it")]
    private partial void LogPermalinkFailed(Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not upload the full log of job {JobId}")]
    private partial void LogUploadFailed(Exception exception, string jobId);
}
