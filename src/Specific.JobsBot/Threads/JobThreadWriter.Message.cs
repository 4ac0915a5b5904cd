using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;
using Specific.Slack.WebApi;

using static Specific.JobsBot.Threads.ThreadCalls;

namespace Specific.JobsBot.Threads;

/// <summary>The job's own message: posted once (or adopted when an earlier writer posted it), then updated as the job changes.</summary>
internal sealed partial class JobThreadWriter
{
    /// <summary>Looks for this job's message among the channel's recent messages (by the job id in its identity line).</summary>
    private async Task<string?> FindPostedMessageAsync(JobRecord job, CancellationToken cancellationToken)
    {
        _mayHavePosted = false;
        await _poster.PaceAsync(SlackWebClient.Methods.ConversationsHistory, cancellationToken);
        var outcome = await CallAsync(Kinds.Reconcile, SlackWebClient.Methods.ConversationsHistory,
            ct => _services.Slack.GetHistoryAsync(_thread.ChannelId, job.CreatedAt - TimeSpan.FromMinutes(1), 200, ct), cancellationToken);
        switch (outcome)
        {
            case CallOutcome<IReadOnlyList<HistoryMessage>>.Done done:
                return ThreadPostIntents.FindJobMessage(done.Result, job.Id);
            case CallOutcome<IReadOnlyList<HistoryMessage>>.TryAgain:
                _mayHavePosted = true;
                return null;
            default:
                // Without history access (no channels:history scope) the message is posted; a rare duplicate beats none.
                return null;
        }
    }

    private async Task PostJobMessageAsync(CancellationToken cancellationToken)
    {
        await _poster.PaceIntoChannelAsync(SlackWebClient.Methods.PostMessage, cancellationToken);
        // Rendered after the wait for the channel's slot, so the message shows the job as it is when it goes out.
        if (await CurrentJobAsync(cancellationToken) is not { } job)
        {
            return;
        }
        var now = _services.Time.GetUtcNow();
        var message = _services.Messages.Render(await ShownAsync(job, cancellationToken), now);
        var outcome = await PostAsync(Kinds.MessagePost, SlackWebClient.Methods.PostMessage, message,
            (m, ct) => _services.Slack.PostMessageAsync(_thread.ChannelId, m, null, ct), cancellationToken);
        if (outcome is not PostOutcome<PostedMessage>.Posted { Result: var posted })
        {
            return;
        }
        _lastRenderAt = now;
        _services.Metrics.Lag(now - LastChange(job));
        await SaveAsync(_thread with { MessageTs = posted.Ts, RenderedVersion = job.Version });
    }

    /// <summary>Waits for the chat.update slot already reserved, then renders the job as it is by then (coalescing every change since).</summary>
    private async Task UpdateJobMessageAsync(TimeSpan reservedIn, CancellationToken cancellationToken)
    {
        await _lease.WaitKeepingItAsync(reservedIn, cancellationToken);
        if (await CurrentJobAsync(cancellationToken) is not { } job)
        {
            return;
        }
        var now = _services.Time.GetUtcNow();
        var message = _services.Messages.Render(await ShownAsync(job, cancellationToken), now);
        var updated = await PostAsync(Kinds.MessageUpdate, SlackWebClient.Methods.Update, message,
            (m, ct) => _services.Slack.UpdateMessageAsync(_thread.ChannelId, _thread.MessageTs!, m, ct), cancellationToken);
        if (!updated.MovesOn)
        {
            return;
        }
        _lastRenderAt = now;
        if (job.Version > _thread.RenderedVersion)
        {
            _services.Metrics.Lag(now - LastChange(job));
            await SaveAsync(_thread with { RenderedVersion = job.Version });
        }
    }

    /// <summary>The job as its message may show it: name, command, failure reason and notes redacted.</summary>
    private async Task<JobRecord> ShownAsync(JobRecord job, CancellationToken cancellationToken)
    {
        var redactor = await _services.Redaction.ForJobAsync(job, cancellationToken);
        return redactor.Redacted(job);
    }
}
