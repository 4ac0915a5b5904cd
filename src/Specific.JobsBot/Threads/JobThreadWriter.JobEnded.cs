using Specific.Jobs.Domain;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Threads;

internal sealed partial class JobThreadWriter
{
    // Looked at once per writer; the store's claim keeps a later writer (a restart, another replica) from sending again.
    private bool _jobEndNoticeLookedAt;

    /// <summary>
    /// Tells the person who started a long job, by direct message, that it ended: the outcome, where, how long, and a
    /// link to the thread. At most once per job: the claim is saved before the message goes out. A failure (the person
    /// gone, a rate limit, the store) is logged and not tried again; the thread carries on either way.
    /// </summary>
    private async Task TellRequesterJobEndedAsync(JobRecord job, CancellationToken cancellationToken)
    {
        if (_jobEndNoticeLookedAt)
        {
            return;
        }
        _jobEndNoticeLookedAt = true;
        if (_services.Notices is not { } notices || JobEndNotice.Recipient(job, Options.RequesterDmAfter) is not { } userId)
        {
            return;
        }
        try
        {
            if (!JobEndNotice.Wants(await notices.GetDmOnJobEndAsync(userId, cancellationToken)))
            {
                _logger.JobEndNoticeOff(JobId);
                return;
            }

            var link = await PermalinkAsync(cancellationToken);
            await _poster.PaceAsync(SlackWebClient.Methods.PostMessage, cancellationToken);
            if (!await notices.TryClaimJobEndDmAsync(JobId, _services.Time.GetUtcNow(), cancellationToken))
            {
                return;
            }
            var message = _services.Replies.JobEnded(job, _thread.ChannelId, link, Options.RequesterDmAfter);
            // chat.postMessage to a user id lands in their direct message with the app.
            await _services.Slack.PostMessageAsync(userId, message, cancellationToken: cancellationToken);
            _logger.JobEndNoticeSent(JobId);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.JobEndNoticeFailed(exception, JobId);
        }
    }

    /// <summary>The thread's link; null when Slack will not give one (the message then names the channel).</summary>
    private async Task<Uri?> PermalinkAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _services.Slack.GetPermalinkAsync(_thread.ChannelId, _thread.MessageTs!, cancellationToken);
        }
        catch (Exception exception) when (exception is SlackApiException or SlackTransientException)
        {
            _logger.PermalinkMissing(exception, JobId);
            return null;
        }
    }
}
