using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.Slack.BlockKit;
using Specific.Slack.WebApi;

using static Specific.JobsBot.Threads.ThreadCalls;

namespace Specific.JobsBot.Threads;

/// <summary>The thread's replies: state changes, log excerpts, the final reply with the tail, and the full log as a file.</summary>
internal sealed partial class JobThreadWriter
{
    /// <summary>Looks for the pending reply in the thread: adopts it when it is there, else forgets it so the step posts afresh.</summary>
    private async Task FindPendingReplyAsync(ThreadPostIntent pending, CancellationToken cancellationToken)
    {
        pendingMayBeOut = false;
        await poster.PaceAsync(SlackWebClient.Methods.ConversationsReplies, cancellationToken).ConfigureAwait(false);
        var outcome = await CallAsync(Kinds.Reconcile, SlackWebClient.Methods.ConversationsReplies,
            ct => services.Slack.GetRepliesAsync(thread.ChannelId, thread.MessageTs!, pending.At - ThreadPostIntents.ClockSkew, 200, ct),
            cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case CallOutcome<IReadOnlyList<HistoryMessage>>.Done done when ThreadPostIntents.IsPosted(done.Result, pending):
                logger.ReplyAdopted(JobId, pending.Marker);
                // What that reply showed is not counted here: the full-log decision falls back to what the store holds.
                knowsWholeThread = false;
                await SaveAsync(ThreadPostIntents.Adopted(thread)).ConfigureAwait(false);
                return;
            case CallOutcome<IReadOnlyList<HistoryMessage>>.TryAgain:
                pendingMayBeOut = true;
                return;
            default:
                // Not in the thread (or, without history access, not knowable: a rare duplicate beats a lost reply).
                await SaveAsync(thread).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Announces every state entered and not yet told, in one reply composed once the channel's slot comes.</summary>
    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        await poster.PaceIntoChannelAsync(SlackWebClient.Methods.PostMessage, cancellationToken).ConfigureAwait(false);
        if (await CurrentJobAsync(cancellationToken).ConfigureAwait(false) is not { } job
            || Announcements(job, thread.PostedState) is not { Count: > 0 } states)
        {
            return;
        }
        var now = services.Time.GetUtcNow();
        var state = states[^1];
        // A job already running shows its first output in the same reply: one post fewer in a busy channel.
        var output = state == JobState.Running && !job.State.IsFinal()
            ? await ComposeExcerptAsync(job, await services.Logs.LastNumberAsync(JobId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
            : null;
        var reply = await IntendAsync(services.Replies.StateChanged(job, states, output), output is null
            ? thread with { PostedState = state.ToWire() }
            : thread with { PostedState = state.ToWire(), PostedLogLine = output.LastNumber }, now).ConfigureAwait(false);
        var posted = await PostAsync(Kinds.StateReply, SlackWebClient.Methods.PostMessage, reply, ReplyAsync, cancellationToken).ConfigureAwait(false);
        if (!posted.MovesOn)
        {
            return;
        }
        services.Metrics.Lag(now - (job.EnteredAt(states[0]) ?? now));
        if (output is null)
        {
            await SaveAsync(thread with { PostedState = state.ToWire() }).ConfigureAwait(false);
            return;
        }
        lastExcerptAt = now;
        linesNotShownWhole += posted is PostOutcome<PostedMessage>.Skipped ? output.LastNumber - thread.PostedLogLine : output.SkippedBefore + output.CutLines;
        await SaveAsync(thread with { PostedState = state.ToWire(), PostedLogLine = output.LastNumber }).ConfigureAwait(false);
    }

    /// <summary>
    /// Posts the lines after the last one posted, up to <paramref name="upTo"/> or, when null, up to the last line
    /// stored once the channel's slot comes: lines printed while the post waited for its turn go out with it.
    /// </summary>
    private async Task PostExcerptAsync(JobRecord job, long? upTo, CancellationToken cancellationToken)
    {
        await poster.PaceIntoChannelAsync(SlackWebClient.Methods.PostMessage, cancellationToken).ConfigureAwait(false);
        var now = services.Time.GetUtcNow();
        var after = thread.PostedLogLine;
        var last = upTo ?? await services.Logs.LastNumberAsync(JobId, cancellationToken).ConfigureAwait(false);
        if (await ComposeExcerptAsync(job, last, cancellationToken).ConfigureAwait(false) is not { } excerpt)
        {
            return;
        }
        var reply = await IntendAsync(services.Replies.LogExcerpt(excerpt), thread with { PostedLogLine = excerpt.LastNumber }, now).ConfigureAwait(false);
        var posted = await PostAsync(Kinds.Excerpt, SlackWebClient.Methods.PostMessage, reply, ReplyAsync, cancellationToken).ConfigureAwait(false);
        if (!posted.MovesOn)
        {
            return;
        }
        lastExcerptAt = now;
        linesNotShownWhole += posted is PostOutcome<PostedMessage>.Skipped ? excerpt.LastNumber - after : excerpt.SkippedBefore + excerpt.CutLines;
        await SaveAsync(thread with { PostedLogLine = excerpt.LastNumber }).ConfigureAwait(false);
    }

    /// <summary>
    /// The lines after the last one posted up to <paramref name="last"/>, redacted and fitted to one reply; null when
    /// there are none to show (lines the store counts but cannot return yet are then skipped, not waited for).
    /// </summary>
    private async Task<LogExcerpt?> ComposeExcerptAsync(JobRecord job, long last, CancellationToken cancellationToken)
    {
        var after = thread.PostedLogLine;
        if (await excerpts.ExcerptAsync(job, after, last, cancellationToken).ConfigureAwait(false) is not { } excerpt)
        {
            return null;
        }
        if (excerpt.IsEmpty)
        {
            await SaveAsync(thread with { PostedLogLine = last }).ConfigureAwait(false);
            linesNotShownWhole += last - after;
            return null;
        }
        return excerpt;
    }

    private async Task FinishAsync(JobRecord job, long lastLine, CancellationToken cancellationToken)
    {
        var finalState = job.State.ToWire();
        if (thread.PostedState != finalState)
        {
            var tailStart = lastLine - Options.FinalTailLines;
            if (tailStart > thread.PostedLogLine)
            {
                // What the tail will not show goes out first, as an ordinary excerpt.
                await PostExcerptAsync(job, tailStart, cancellationToken).ConfigureAwait(false);
                return;
            }

            await poster.PaceIntoChannelAsync(SlackWebClient.Methods.PostMessage, cancellationToken).ConfigureAwait(false);
            var now = services.Time.GetUtcNow();

            var (tail, tailLines, redactor) = await excerpts.TailAsync(job, cancellationToken).ConfigureAwait(false);
            var unshownInTail = tailLines.LongCount(line => line.Number > thread.PostedLogLine && (tail.IsEmpty || line.Number < tail.FirstShown));
            var fullLog = knowsWholeThread ? linesNotShownWhole + unshownInTail + tail.CutLines > 0 : !tail.ShowsAllOf(lastLine);
            var reply = await IntendAsync(services.Replies.Final(redactor.Redacted(job), tail, lastLine, fullLog, now, redactor.Warning),
                thread with { PostedState = finalState, PostedLogLine = Math.Max(thread.PostedLogLine, lastLine) }, now).ConfigureAwait(false);
            var posted = await PostAsync(Kinds.FinalReply, SlackWebClient.Methods.PostMessage, reply, ReplyAsync, cancellationToken).ConfigureAwait(false);
            if (!posted.MovesOn)
            {
                return;
            }
            fullLogNeeded = fullLog;
            services.Metrics.Lag(now - LastChange(job));
            await SaveAsync(thread with { PostedState = finalState, PostedLogLine = Math.Max(thread.PostedLogLine, lastLine) }).ConfigureAwait(false);
            return;
        }

        if (job.Version > thread.RenderedVersion)
        {
            // The thread is not closed before the message shows the end: here the update waits its turn however long.
            await UpdateJobMessageAsync(services.Pacer.ReserveMethod(SlackWebClient.Methods.Update), cancellationToken).ConfigureAwait(false);
            return;
        }

        // After a restart between the final reply and this step, upload unless the final tail shows every line whole.
        if (fullLogNeeded ?? !(await excerpts.TailAsync(job, cancellationToken).ConfigureAwait(false)).Excerpt.ShowsAllOf(lastLine))
        {
            if (!await UploadFullLogAsync(job, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
        await SaveAsync(thread with { FinalPosted = true }).ConfigureAwait(false);
    }

    /// <summary>Streams the whole log to a temporary file (never all in memory), then uploads it into the thread.</summary>
    private async Task<bool> UploadFullLogAsync(JobRecord job, CancellationToken cancellationToken)
    {
        var path = Path.GetTempFileName();
        try
        {
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                // The same file as the Full log button's: redacted, capped, and saying what was cut.
                var redactor = await services.Redaction.ForJobAsync(job, cancellationToken).ConfigureAwait(false);
                await Interactions.FullLogFile.WriteAsync(file, job, services.Logs, redactor, services.FullLogMaxBytes, cancellationToken).ConfigureAwait(false);
            }

            await poster.PaceAsync(SlackWebClient.Methods.GetUploadUrlExternal, cancellationToken).ConfigureAwait(false);
            await poster.PaceIntoChannelAsync(SlackWebClient.Methods.CompleteUploadExternal, cancellationToken).ConfigureAwait(false);
            var length = new FileInfo(path).Length;
            await SaveAsync(thread, ThreadPostIntents.FullLog(job, thread with { FinalPosted = true }, services.Time.GetUtcNow())).ConfigureAwait(false);
            await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            var uploaded = await poster.UploadAsync(ct => services.Slack.UploadFileAsync(
                thread.ChannelId, thread.MessageTs, ThreadReplyRenderer.FullLogFileName(job), ThreadReplyRenderer.FullLogTitle(job), content, length, ct),
                cancellationToken).ConfigureAwait(false);
            return (await SettleAsync(uploaded).ConfigureAwait(false)).MovesOn;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private Task<PostedMessage> ReplyAsync(SlackMessage message, CancellationToken cancellationToken) =>
        services.Slack.PostMessageAsync(thread.ChannelId, message, thread.MessageTs, cancellationToken);

    /// <summary>Saves the reply's intent before it is posted (a store that cannot be written stops the post here), and tags the reply.</summary>
    private async Task<SlackMessage> IntendAsync(SlackMessage reply, JobThread after, DateTimeOffset now)
    {
        var intent = ThreadPostIntents.Reply(after, now);
        await SaveAsync(thread, intent).ConfigureAwait(false);
        return ThreadPostIntents.Tagged(reply, JobId, intent);
    }

    /// <summary>
    /// The states still to announce in the thread, in order: queued, then running, each once it was entered, even when
    /// the keeper catches up after the job ended (the thread tells the whole story). A final state gets the final reply.
    /// </summary>
    internal static IReadOnlyList<JobState> Announcements(JobRecord job, string? postedState)
    {
        var posted = postedState is null ? (JobState?)null : JobLifecycle.FromWire(postedState);
        return [.. ((JobState[])[JobState.Queued, JobState.Running])
            .Where(state => job.EnteredAt(state) is not null && (posted is null || state > posted))];
    }
}
