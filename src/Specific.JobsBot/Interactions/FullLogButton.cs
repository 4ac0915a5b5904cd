using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Interactions;

/// <summary>
/// The Full log button, after Slack has had its answer: the need-to-know decision (<see cref="LogAccess"/>, audited),
/// then the upload, or the refusal told privately.
/// </summary>
public sealed class FullLogButton(IJobStore jobs, LogAccess access, FullLogUploader uploader, SlackWebClient slack)
{
    /// <summary>What the audit trail keeps as typed for a click.</summary>
    public const string CommandText = "Full log button";

    public async Task DecideAndUploadAsync(
        string jobId, Actor actor, string channelId, string? threadTs, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(replyTo);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            await slack.TellAsync(replyTo, $":x: No job `{jobId}`.", cancellationToken);
            return;
        }

        var verdict = await access.DecideAsync(job, actor, CommandText, cancellationToken);
        if (verdict.Refusal is { } refusal)
        {
            await slack.TellAsync(replyTo, refusal, cancellationToken);
            return;
        }

        await uploader.UploadAsync(job.Id, channelId, threadTs, replyTo, cancellationToken);
    }
}
