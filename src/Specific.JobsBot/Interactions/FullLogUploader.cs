using System.Globalization;
using System.Text;
using Specific.Slack.WebApi;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Interactions;

/// <summary>
/// The Full log button: the whole log, streamed from the log store into a temporary file (never all in memory), then
/// uploaded into the job's thread.
/// </summary>
public sealed partial class FullLogUploader(
    IJobStore jobs, ILogStore logs, IJobRedaction redaction, SlackWebClient slack, ILogger<FullLogUploader> logger)
{
    public async Task UploadAsync(string jobId, string channelId, string? threadTs, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replyTo);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            await slack.TellAsync(replyTo, $":x: No job `{jobId}`.", cancellationToken);
            return;
        }

        var path = Path.Combine(Path.GetTempPath(), $"specific-{job.Id}-{Guid.NewGuid():N}.log");
        ITextRedactor redactor = SecretRedactor.ShapesOnly;
        try
        {
            long lines = 0;
            redactor = await redaction.ForJobAsync(job, cancellationToken);
            var redacting = new SecretStreamRedactor(redactor);
            await using (var file = new StreamWriter(path, append: false, new UTF8Encoding(false)))
            {
                if (redactor.Warning is { } warning)
                {
                    await file.WriteAsync($"[{warning}]\n".AsMemory(), cancellationToken);
                }
                await foreach (var line in logs.ReadAllAsync(job.Id, cancellationToken))
                {
                    var stamp = line.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                    await file.WriteAsync(redacting.Push($"{stamp} {line.Text}\n").AsMemory(), cancellationToken);
                    lines++;
                }
                await file.WriteAsync(redacting.Complete().AsMemory(), cancellationToken);
            }

            if (lines == 0)
            {
                await slack.TellAsync(replyTo, $"Job `{job.Id}` has no output yet.", cancellationToken);
                return;
            }

            await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
            var title = $"{job.Name ?? job.Id} on {job.Service} ({job.Environment}): {lines:N0} lines";
            await slack.UploadFileAsync(channelId, threadTs, $"{job.Id}.log", title, content, content.Length, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUploadFailed(ex, job.Id);
            await slack.TellAsync(replyTo, $":x: Couldn't upload the log of `{job.Id}`: {redactor.Redact(ex.Message)}", CancellationToken.None);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not upload the full log of job {JobId}")]
    private partial void LogUploadFailed(Exception exception, string jobId);
}
