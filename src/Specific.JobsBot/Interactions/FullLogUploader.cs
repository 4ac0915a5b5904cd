using Microsoft.Extensions.Options;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Interactions;

/// <summary>
/// The Full log button and <c>job logs --file</c>: the whole log, read from the log store (so it works long after the
/// pod is gone), redacted, streamed into a temporary file capped at <see cref="LogsOptions.FullLogMaxBytes"/> (never
/// all in memory), then uploaded into the job's thread.
/// </summary>
public sealed partial class FullLogUploader(
    IJobStore jobs,
    IThreadStore threads,
    ILogStore logs,
    IJobRedaction redaction,
    IOptions<LogsOptions> options,
    SlackWebClient slack,
    ILogger<FullLogUploader> logger)
{
    /// <param name="threadTs">The thread to upload into; null puts it in the job's thread when that is in this channel.</param>
    public async Task UploadAsync(string jobId, string channelId, string? threadTs, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replyTo);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            await slack.TellAsync(replyTo, $":x: No job `{jobId}`.", cancellationToken);
            return;
        }

        if (threadTs is null && await threads.GetAsync(job.Id, cancellationToken) is { MessageTs: { } messageTs } thread && thread.ChannelId == channelId)
        {
            threadTs = messageTs;
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
                await slack.TellAsync(replyTo, $"Job `{job.Id}` has no output stored.", cancellationToken);
                return;
            }

            await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
            var title = $"{job.Name ?? job.Id} on {job.Service} ({job.Environment}): "
                + (written.WasCut ? $"{written.Lines:N0} lines, {written.CutLines:N0} cut" : $"{written.Lines:N0} lines");
            await slack.UploadFileAsync(channelId, threadTs, $"{job.Id}.log", title, content, content.Length, cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not upload the full log of job {JobId}")]
    private partial void LogUploadFailed(Exception exception, string jobId);
}
