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
        _pendingMayBeOut = false;
        await _poster.PaceAsync(SlackWebClient.Methods.ConversationsReplies, cancellationToken);
        var outcome = await CallAsync(Kinds.Reconcile, SlackWebClient.Methods.ConversationsReplies,
            ct => _services.Slack.GetRepliesAsync(_thread.ChannelId, _thread.MessageTs!, pending.At - ThreadPostIntents.ClockSkew, 200, ct),
            cancellationToken);
        switch (outcome)
        {
            case CallOutcome<IReadOnlyList<HistoryMessage>>.Done done when ThreadPostIntents.IsPosted(done.Result, pending):
                _logger.ReplyAdopted(JobId, pending.Marker);
                // What that reply showed is not counted here: the full-log decision falls back to what the store holds.
                _knowsWholeThread = false;
                await SaveAsync(ThreadPostIntents.Adopted(_thread));
                return;
            case CallOutcome<IReadOnlyList<HistoryMessage>>.TryAgain:
                _pendingMayBeOut = true;
                return;
            default:
                // Not in the thread (or, without history access, not knowable: a rare duplicate beats a lost reply).
                await SaveAsync(_thread);
                return;
        }
    }

    /// <summary>Announces every state entered and not yet told, in one reply composed once the channel's slot comes.</summary>
    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        await _poster.PaceIntoChannelAsync(SlackWebClient.Methods.PostMessage, cancellationToken);
        if (await CurrentJobAsync(cancellationToken) is not { } job
            || Announcements(job, _thread.PostedState) is not { Count: > 0 } states)
        {
            return;
        }
        var now = _services.Time.GetUtcNow();
        var state = states[^1];
        // A job already running shows its first output in the same reply: one post fewer in a busy channel.
        var output = state == JobState.Running && !job.State.IsFinal()
            ? await ComposeExcerptAsync(job, await _services.Logs.LastNumberAsync(JobId, cancellationToken), cancellationToken)
            : null;
        var reply = await IntendAsync(_services.Replies.StateChanged(job, states, output), output is null
            ? _thread with { PostedState = state.ToWire() }
            : _thread with { PostedState = state.ToWire(), PostedLogLine = output.LastNumber }, now);
        var posted = await PostAsync(Kinds.StateReply, SlackWebClient.Methods.PostMessage, reply, ReplyAsync, cancellationToken);
        if (!posted.MovesOn)
        {
            return;
        }
        _services.Metrics.Lag(now - (job.EnteredAt(states[0]) ?? now));
        if (output is null)
        {
            await SaveAsync(_thread with { PostedState = state.ToWire() });
            return;
        }
        _lastExcerptAt = now;
        _linesNotShownWhole += posted is PostOutcome<PostedMessage>.Skipped ? output.LastNumber - _thread.PostedLogLine : output.SkippedBefore + output.CutLines;
        await SaveAsync(_thread with { PostedState = state.ToWire(), PostedLogLine = output.LastNumber });
    }

    /// <summary>
    /// Posts the lines after the last one posted, up to <paramref name="upTo"/> or, when null, up to the last line
    /// stored once the channel's slot comes: lines printed while the post waited for its turn go out with it.
    /// </summary>
    private async Task PostExcerptAsync(JobRecord job, long? upTo, CancellationToken cancellationToken)
    {
        await _poster.PaceIntoChannelAsync(SlackWebClient.Methods.PostMessage, cancellationToken);
        var now = _services.Time.GetUtcNow();
        var after = _thread.PostedLogLine;
        var last = upTo ?? await _services.Logs.LastNumberAsync(JobId, cancellationToken);
        if (await ComposeExcerptAsync(job, last, cancellationToken) is not { } excerpt)
        {
            return;
        }
        var reply = await IntendAsync(_services.Replies.LogExcerpt(excerpt), _thread with { PostedLogLine = excerpt.LastNumber }, now);
        var posted = await PostAsync(Kinds.Excerpt, SlackWebClient.Methods.PostMessage, reply, ReplyAsync, cancellationToken);
        if (!posted.MovesOn)
        {
            return;
        }
        _lastExcerptAt = now;
        _linesNotShownWhole += posted is PostOutcome<PostedMessage>.Skipped ? excerpt.LastNumber - after : excerpt.SkippedBefore + excerpt.CutLines;
        await SaveAsync(_thread with { PostedLogLine = excerpt.LastNumber });
    }

    /// <summary>
    /// The lines after the last one posted up to <paramref name="last"/>, redacted and fitted to one reply; null when
    /// there are none to show (lines the store counts but cannot return yet are then skipped, not waited for).
    /// </summary>
    private async Task<LogExcerpt?> ComposeExcerptAsync(JobRecord job, long last, CancellationToken cancellationToken)
    {
        var after = _thread.PostedLogLine;
        if (await _excerpts.ExcerptAsync(job, after, last, cancellationToken) is not { } excerpt)
        {
            return null;
        }
        if (excerpt.IsEmpty)
        {
            await SaveAsync(_thread with { PostedLogLine = last });
            _linesNotShownWhole += last - after;
            return null;
        }
        return excerpt;
    }

    private async Task FinishAsync(JobRecord job, long lastLine, CancellationToken cancellationToken)
    {
        var finalState = job.State.ToWire();
        if (_thread.PostedState != finalState)
        {
            var tailStart = lastLine - Options.FinalTailLines;
            if (tailStart > _thread.PostedLogLine)
            {
                // What the tail will not show goes out first, as an ordinary excerpt.
                await PostExcerptAsync(job, tailStart, cancellationToken);
                return;
            }

            await _poster.PaceIntoChannelAsync(SlackWebClient.Methods.PostMessage, cancellationToken);
            var now = _services.Time.GetUtcNow();

            var (tail, tailLines, redactor) = await _excerpts.TailAsync(job, cancellationToken);
            var unshownInTail = tailLines.LongCount(line => line.Number > _thread.PostedLogLine && (tail.IsEmpty || line.Number < tail.FirstShown));
            var fullLog = _knowsWholeThread ? _linesNotShownWhole + unshownInTail + tail.CutLines > 0 : !tail.ShowsAllOf(lastLine);
            var reply = await IntendAsync(_services.Replies.Final(redactor.Redacted(job), tail, lastLine, fullLog, now, redactor.Warning),
                _thread with { PostedState = finalState, PostedLogLine = Math.Max(_thread.PostedLogLine, lastLine) }, now);
            var posted = await PostAsync(Kinds.FinalReply, SlackWebClient.Methods.PostMessage, reply, ReplyAsync, cancellationToken);
            if (!posted.MovesOn)
            {
                return;
            }
            _fullLogNeeded = fullLog;
            _services.Metrics.Lag(now - LastChange(job));
            await SaveAsync(_thread with { PostedState = finalState, PostedLogLine = Math.Max(_thread.PostedLogLine, lastLine) });
            return;
        }

        // After the final reply, so the link leads to a thread that shows the end.
        await TellRequesterJobEndedAsync(job, cancellationToken);

        if (job.Version > _thread.RenderedVersion)
        {
            // The thread is not closed before the message shows the end: here the update waits its turn however long.
            await UpdateJobMessageAsync(_services.Pacer.ReserveMethod(SlackWebClient.Methods.Update), cancellationToken);
            return;
        }

        // After a restart between the final reply and this step, upload unless the final tail shows every line whole.
        if (_fullLogNeeded ?? !(await _excerpts.TailAsync(job, cancellationToken)).Excerpt.ShowsAllOf(lastLine))
        {
            if (!await UploadFullLogAsync(job, cancellationToken))
            {
                return;
            }
        }
        await SaveAsync(_thread with { FinalPosted = true });
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
                var redactor = await _services.Redaction.ForJobAsync(job, cancellationToken);
                await Interactions.FullLogFile.WriteAsync(file, job, _services.Logs, redactor, _services.FullLogMaxBytes, cancellationToken);
            }

            await _poster.PaceAsync(SlackWebClient.Methods.GetUploadUrlExternal, cancellationToken);
            await _poster.PaceIntoChannelAsync(SlackWebClient.Methods.CompleteUploadExternal, cancellationToken);
            var length = new FileInfo(path).Length;
            await SaveAsync(_thread, ThreadPostIntents.FullLog(job, _thread with { FinalPosted = true }, _services.Time.GetUtcNow()));
            await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            var uploaded = await _poster.UploadAsync(ct => _services.Slack.UploadFileAsync(
                _thread.ChannelId, _thread.MessageTs, ThreadReplyRenderer.FullLogFileName(job), ThreadReplyRenderer.FullLogTitle(job), content, length, ct),
                cancellationToken);
            return (await SettleAsync(uploaded)).MovesOn;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private Task<PostedMessage> ReplyAsync(SlackMessage message, CancellationToken cancellationToken) =>
        _services.Slack.PostMessageAsync(_thread.ChannelId, message, _thread.MessageTs, cancellationToken);

    /// <summary>Saves the reply's intent before it is posted (a store that cannot be written stops the post here), and tags the reply.</summary>
    private async Task<SlackMessage> IntendAsync(SlackMessage reply, JobThread after, DateTimeOffset now)
    {
        var intent = ThreadPostIntents.Reply(after, now);
        await SaveAsync(_thread, intent);
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
