using Specific.Slack.BlockKit;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Threads;

internal sealed partial class JobThreadWriter
{
    /// <summary>The refusals that mean the bot is not (or no longer) in the channel: someone removed it, or never invited it.</summary>
    private static readonly IReadOnlySet<string> LeftTheChannel = new HashSet<string>(StringComparer.Ordinal)
    {
        SlackErrors.NotInChannel, SlackErrors.ChannelNotFound,
    };

    /// <summary>
    /// The job's record says its thread stopped because Slack refuses its channel (not in it, archived, gone), and why,
    /// so the dashboard and anyone reading the job later know why Slack shows no end. A note that cannot be saved is
    /// logged: the thread is closed either way.
    /// </summary>
    private async Task NoteThreadStoppedAsync(string error)
    {
        if (!SlackErrors.DestinationGone.Contains(error))
        {
            // Any other refusal of the job message itself (a malformed answer, say) is the bot's problem, logged, not the job's.
            return;
        }

        try
        {
            var note = $"Its Slack thread stopped: the app could not post in <#{_thread.ChannelId}> ({error}).";
            await _services.Jobs.AddDetailsAsync(JobId, new Specific.Jobs.Domain.JobDetails(Notes: [note]), CancellationToken.None);
        }
        catch (Exception exception)
        {
            _logger.RequesterNotTold(exception, JobId, "job record note: " + error);
        }
    }

    /// <summary>
    /// The thread was closed because the bot cannot post in its channel: the person who started the job is told
    /// privately, once (the thread is closed, so this never repeats), through the command's response_url while it is
    /// valid, else by direct message. A failure to tell is logged, never thrown: the job itself runs on.
    /// </summary>
    private async Task TellRequesterAsync(string error)
    {
        if (!LeftTheChannel.Contains(error))
        {
            return;
        }

        _services.Reach?.Forget(_thread.ChannelId);
        try
        {
            var job = await _services.Jobs.GetAsync(JobId, CancellationToken.None);
            if (job?.Origin.UserId is not { } userId)
            {
                return;
            }

            var text = $":warning: The app can no longer post in <#{_thread.ChannelId}> ({error}), so the thread of job `{job.Id}` on " +
                       $"`{job.Service}` in `{job.Environment}` stops here; the job itself is not affected. Follow it with " +
                       $"`/specific job logs {job.Id}`, and invite the app back into the channel (`/invite` and its name) before the next run there.";
            var target = _services.Requesters?.TargetFor(job.Id, userId);
            var told = target is { ResponseUrl: not null } && await TriedResponseUrlAsync(target, text);
            if (!told)
            {
                await _services.Slack.TellAsync(new ReplyTarget(null, null, userId), text, CancellationToken.None);
            }
            _logger.RequesterTold(JobId, error);
        }
        catch (Exception exception)
        {
            _logger.RequesterNotTold(exception, JobId, error);
        }
    }

    /// <summary>Answers through the command's response_url; false when Slack no longer takes it (expired, used up).</summary>
    private async Task<bool> TriedResponseUrlAsync(ReplyTarget target, string text)
    {
        try
        {
            await _services.Slack.TellAsync(target, text, CancellationToken.None);
            return true;
        }
        catch (Exception exception) when (exception is SlackApiException or SlackTransientException)
        {
            _logger.RequesterNotTold(exception, JobId, "response_url");
            return false;
        }
    }
}
