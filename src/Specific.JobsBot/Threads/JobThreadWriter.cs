using System.Threading.Channels;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Observability;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.Slack.BlockKit;
using Specific.Slack.WebApi;

using static Specific.JobsBot.Threads.ThreadCalls;

namespace Specific.JobsBot.Threads;

/// <summary>
/// The one writer of one job's message and thread while it holds the lease. Each step makes at most one Slack post
/// and then saves the cursor, so a restart resumes exactly where the last saved step ended.
/// </summary>
/// <remarks>
/// Slack's chat.postMessage has no idempotency key. A reply is saved as an intent before it is posted, so a store that
/// cannot be written posts nothing, and one whose save after the post failed is looked up by its marker in the thread
/// (<see cref="ThreadPostIntents"/>). The job message is saved before it is posted, and a writer that finds a saved
/// cursor without a ts first looks for the message in the channel's history and adopts it.
/// </remarks>
internal sealed partial class JobThreadWriter
{
    /// <summary>
    /// Lines read before an excerpt only to redact it: a key block that began in an earlier excerpt (an RSA 4096 key
    /// is about 50 lines) is still recognised, so its later lines are hidden too.
    /// </summary>
    private const int RedactionContextLines = 64;

    private readonly ThreadKeeper keeper;
    private readonly ILogger logger;
    private readonly Channel<bool> nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private JobThread thread = null!;
    private DateTimeOffset leaseRenewedAt;
    private DateTimeOffset lastExcerptAt = DateTimeOffset.MinValue;
    private DateTimeOffset lastRenderAt;
    private int transientFailures;

    // What this writer saw itself; after a takeover it cannot know what earlier writers skipped.
    private bool knowsWholeThread;
    private long linesNotShownWhole; // skipped, or shown cut at LogExcerpt.MaxLineLength
    private bool? fullLogNeeded;

    // A saved cursor without a message ts: an earlier writer may have posted and died before saving.
    private bool mayHavePosted;

    // The cursor's pending reply may be in the thread: an earlier writer saved it, or Slack's answer to it was lost.
    private bool pendingMayBeOut;

    public JobThreadWriter(ThreadKeeper keeper, string jobId)
    {
        this.keeper = keeper;
        logger = keeper.Logger;
        JobId = jobId;
    }

    public string JobId { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    private ThreadKeeperOptions Options => keeper.Options;

    public void Start(CancellationToken stoppingToken) => Completion = Task.Run(() => RunAsync(stoppingToken), CancellationToken.None);

    public void Nudge() => nudges.Writer.TryWrite(true);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var scope = JobLogScope.Begin(logger, JobId);
        var settledForGood = false;
        var leased = false;
        keeper.Metrics.Active(1);
        try
        {
            var job = await keeper.Jobs.GetAsync(JobId, stoppingToken).ConfigureAwait(false);
            if (job is null || !ThreadKeeper.IsSlackJob(job))
            {
                settledForGood = job is not null;
                return;
            }

            var saved = await keeper.Threads.GetAsync(JobId, stoppingToken).ConfigureAwait(false);
            if (saved?.FinalPosted == true)
            {
                settledForGood = true;
                return;
            }

            var now = keeper.Time.GetUtcNow();
            if (!await keeper.Threads.TryLeaseAsync(JobId, keeper.OwnerId, now, now + Options.LeaseDuration, stoppingToken).ConfigureAwait(false))
            {
                logger.LeaseHeldElsewhere(JobId);
                return;
            }
            leased = true;
            leaseRenewedAt = now;

            if (saved is null)
            {
                // Saved before anything is posted, so the sweep finds this thread again after a crash.
                thread = new JobThread(JobId, job.Origin.ChannelId!, null, 0, null, 0, false);
                await SaveAsync().ConfigureAwait(false);
            }
            else
            {
                thread = saved;
            }
            knowsWholeThread = thread.MessageTs is null && thread.PostedLogLine == 0;
            mayHavePosted = saved is not null && saved.MessageTs is null;
            pendingMayBeOut = thread.Pending is not null;

            while (!thread.FinalPosted)
            {
                stoppingToken.ThrowIfCancellationRequested();
                await RenewLeaseIfDueAsync(stoppingToken).ConfigureAwait(false);
                var idle = await StepAsync(stoppingToken).ConfigureAwait(false);
                if (idle is { } wait)
                {
                    await WaitForNudgeAsync(wait, stoppingToken).ConfigureAwait(false);
                }
            }

            settledForGood = true;
            logger.ThreadClosed(JobId);
        }
        catch (LeaseLostException)
        {
            leased = false;
            logger.LeaseLost(JobId);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the next owner resumes from the saved cursor.
        }
        catch (Exception exception)
        {
            // The sweep starts a new writer for this job later; the cursor says where to resume.
            logger.WriterFailed(exception, JobId);
        }
        finally
        {
            if (leased)
            {
                await ReleaseLeaseAsync().ConfigureAwait(false);
            }
            keeper.Metrics.Active(-1);
            keeper.WriterEnded(this, settledForGood);
        }
    }

    /// <summary>Does the next thing the thread needs; returns how long to wait when there is nothing to do yet.</summary>
    private async Task<TimeSpan?> StepAsync(CancellationToken cancellationToken)
    {
        var job = await keeper.Jobs.GetAsync(JobId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            await CloseAsync("the job is gone").ConfigureAwait(false);
            return null;
        }
        var now = keeper.Time.GetUtcNow();

        if (thread.MessageTs is null)
        {
            if (mayHavePosted && await FindPostedMessageAsync(job, cancellationToken).ConfigureAwait(false) is { } found)
            {
                // An earlier writer posted the message but died before saving its ts: adopt it, never post a second.
                logger.MessageAdopted(JobId, found);
                await SaveAsync(thread with { MessageTs = found }).ConfigureAwait(false);
                return null;
            }
            await PostJobMessageAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        if (pendingMayBeOut && thread.Pending is { } pending)
        {
            await FindPendingReplyAsync(pending, cancellationToken).ConfigureAwait(false);
            return null;
        }

        // chat.update has one budget for the whole workspace (tier 3). A state change waits for it briefly; when many
        // jobs queue for it, this thread's replies and output go first and the update is tried again on the next step.
        var waits = new List<TimeSpan> { Options.LeaseDuration / 3 };
        if (job.Version > thread.RenderedVersion)
        {
            if (keeper.Pacer.TryReserveMethod(SlackWebClient.Methods.Update, Options.ExcerptInterval, out var updateIn))
            {
                await UpdateJobMessageAsync(updateIn, cancellationToken).ConfigureAwait(false);
                return null;
            }
            waits.Add(updateIn);
        }

        if (Announcements(job, thread.PostedState).Count > 0)
        {
            await AnnounceAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        var lastLine = await keeper.Logs.LastNumberAsync(JobId, cancellationToken).ConfigureAwait(false);
        if (job.State.IsFinal())
        {
            await FinishAsync(job, lastLine, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (lastLine > thread.PostedLogLine)
        {
            var due = lastExcerptAt + Options.ExcerptInterval;
            if (due <= now || lastLine - thread.PostedLogLine >= Options.MaxLinesPerExcerpt)
            {
                await PostExcerptAsync(job, upTo: null, cancellationToken).ConfigureAwait(false);
                return null;
            }
            waits.Add(due - now);
        }
        if (job.State == JobState.Running)
        {
            waits.Add(Options.LogPollInterval);
            if (Options.RunningRefreshInterval > TimeSpan.Zero)
            {
                // Refreshing the duration only takes a chat.update slot nobody has reserved: state changes come first.
                var refreshAt = lastRenderAt + Options.RunningRefreshInterval;
                if (refreshAt <= now && keeper.Pacer.TryReserveMethod(SlackWebClient.Methods.Update, TimeSpan.Zero, out var refreshIn))
                {
                    await UpdateJobMessageAsync(refreshIn, cancellationToken).ConfigureAwait(false);
                    return null;
                }
                waits.Add(refreshAt > now ? refreshAt - now : Options.LogPollInterval);
            }
        }
        return waits.Min();
    }

    /// <summary>Looks for this job's message among the channel's recent messages (by the job id in its identity line).</summary>
    private async Task<string?> FindPostedMessageAsync(JobRecord job, CancellationToken cancellationToken)
    {
        mayHavePosted = false;
        await PaceAsync(SlackWebClient.Methods.ConversationsHistory, null, cancellationToken).ConfigureAwait(false);
        var outcome = await CallAsync(Kinds.Reconcile, SlackWebClient.Methods.ConversationsHistory,
            ct => keeper.Slack.GetHistoryAsync(thread.ChannelId, job.CreatedAt - TimeSpan.FromMinutes(1), 200, ct), cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case CallOutcome<IReadOnlyList<HistoryMessage>>.Done done:
                return ThreadPostIntents.FindJobMessage(done.Result, job.Id);
            case CallOutcome<IReadOnlyList<HistoryMessage>>.TryAgain:
                mayHavePosted = true;
                return null;
            default:
                // Without history access (no channels:history scope) the message is posted; a rare duplicate beats none.
                return null;
        }
    }

    /// <summary>Looks for the pending reply in the thread: adopts it when it is there, else forgets it so the step posts afresh.</summary>
    private async Task FindPendingReplyAsync(ThreadPostIntent pending, CancellationToken cancellationToken)
    {
        pendingMayBeOut = false;
        await PaceAsync(SlackWebClient.Methods.ConversationsReplies, null, cancellationToken).ConfigureAwait(false);
        var outcome = await CallAsync(Kinds.Reconcile, SlackWebClient.Methods.ConversationsReplies,
            ct => keeper.Slack.GetRepliesAsync(thread.ChannelId, thread.MessageTs!, pending.At - ThreadPostIntents.ClockSkew, 200, ct),
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

    private async Task PostJobMessageAsync(CancellationToken cancellationToken)
    {
        await PaceAsync(SlackWebClient.Methods.PostMessage, thread.ChannelId, cancellationToken).ConfigureAwait(false);
        // Rendered after the wait for the channel's slot, so the message shows the job as it is when it goes out.
        if (await CurrentJobAsync(cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return;
        }
        var now = keeper.Time.GetUtcNow();
        var message = keeper.Messages.Render(await ShownAsync(job, cancellationToken).ConfigureAwait(false), now);
        var posted = await PostAsync(Kinds.MessagePost, SlackWebClient.Methods.PostMessage, message,
            (m, ct) => keeper.Slack.PostMessageAsync(thread.ChannelId, m, null, ct), cancellationToken).ConfigureAwait(false);
        if (posted is null)
        {
            return;
        }
        lastRenderAt = now;
        keeper.Metrics.Lag(now - LastChange(job));
        await SaveAsync(thread with { MessageTs = posted.Ts, RenderedVersion = job.Version }).ConfigureAwait(false);
    }

    /// <summary>Waits for the chat.update slot already reserved, then renders the job as it is by then (coalescing every change since).</summary>
    private async Task UpdateJobMessageAsync(TimeSpan reservedIn, CancellationToken cancellationToken)
    {
        await WaitKeepingLeaseAsync(reservedIn, cancellationToken).ConfigureAwait(false);
        if (await CurrentJobAsync(cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return;
        }
        var now = keeper.Time.GetUtcNow();
        var message = keeper.Messages.Render(await ShownAsync(job, cancellationToken).ConfigureAwait(false), now);
        var updated = await PostAsync(Kinds.MessageUpdate, SlackWebClient.Methods.Update, message,
            (m, ct) => keeper.Slack.UpdateMessageAsync(thread.ChannelId, thread.MessageTs!, m, ct), cancellationToken).ConfigureAwait(false);
        if (updated is null && !skipped)
        {
            return;
        }
        lastRenderAt = now;
        if (job.Version > thread.RenderedVersion)
        {
            keeper.Metrics.Lag(now - LastChange(job));
            await SaveAsync(thread with { RenderedVersion = job.Version }).ConfigureAwait(false);
        }
    }

    /// <summary>Announces every state entered and not yet told, in one reply composed once the channel's slot comes.</summary>
    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        await PaceAsync(SlackWebClient.Methods.PostMessage, thread.ChannelId, cancellationToken).ConfigureAwait(false);
        if (await CurrentJobAsync(cancellationToken).ConfigureAwait(false) is not { } job
            || Announcements(job, thread.PostedState) is not { Count: > 0 } states)
        {
            return;
        }
        var now = keeper.Time.GetUtcNow();
        var state = states[^1];
        // A job already running shows its first output in the same reply: one post fewer in a busy channel.
        var output = state == JobState.Running && !job.State.IsFinal()
            ? await ComposeExcerptAsync(job, await keeper.Logs.LastNumberAsync(JobId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
            : null;
        var reply = await IntendAsync(keeper.Replies.StateChanged(job, states, output), output is null
            ? thread with { PostedState = state.ToWire() }
            : thread with { PostedState = state.ToWire(), PostedLogLine = output.LastNumber }, now).ConfigureAwait(false);
        var posted = await PostAsync(Kinds.StateReply, SlackWebClient.Methods.PostMessage, reply, ReplyAsync, cancellationToken).ConfigureAwait(false);
        if (posted is null && !skipped)
        {
            return;
        }
        keeper.Metrics.Lag(now - (job.EnteredAt(states[0]) ?? now));
        if (output is null)
        {
            await SaveAsync(thread with { PostedState = state.ToWire() }).ConfigureAwait(false);
            return;
        }
        lastExcerptAt = now;
        linesNotShownWhole += skipped ? output.LastNumber - thread.PostedLogLine : output.SkippedBefore + output.CutLines;
        await SaveAsync(thread with { PostedState = state.ToWire(), PostedLogLine = output.LastNumber }).ConfigureAwait(false);
    }

    /// <summary>
    /// Posts the lines after the last one posted, up to <paramref name="upTo"/> or, when null, up to the last line
    /// stored once the channel's slot comes: lines printed while the post waited for its turn go out with it.
    /// </summary>
    private async Task PostExcerptAsync(JobRecord job, long? upTo, CancellationToken cancellationToken)
    {
        await PaceAsync(SlackWebClient.Methods.PostMessage, thread.ChannelId, cancellationToken).ConfigureAwait(false);
        var now = keeper.Time.GetUtcNow();
        var after = thread.PostedLogLine;
        var last = upTo ?? await keeper.Logs.LastNumberAsync(JobId, cancellationToken).ConfigureAwait(false);
        if (await ComposeExcerptAsync(job, last, cancellationToken).ConfigureAwait(false) is not { } excerpt)
        {
            return;
        }
        var reply = await IntendAsync(keeper.Replies.LogExcerpt(excerpt), thread with { PostedLogLine = excerpt.LastNumber }, now).ConfigureAwait(false);
        var posted = await PostAsync(Kinds.Excerpt, SlackWebClient.Methods.PostMessage, reply, ReplyAsync, cancellationToken).ConfigureAwait(false);
        if (posted is null && !skipped)
        {
            return;
        }
        lastExcerptAt = now;
        linesNotShownWhole += skipped ? excerpt.LastNumber - after : excerpt.SkippedBefore + excerpt.CutLines;
        await SaveAsync(thread with { PostedLogLine = excerpt.LastNumber }).ConfigureAwait(false);
    }

    /// <summary>
    /// The lines after the last one posted up to <paramref name="last"/>, redacted and fitted to one reply; null when
    /// there are none to show (lines the store counts but cannot return yet are then skipped, not waited for).
    /// </summary>
    private async Task<LogExcerpt?> ComposeExcerptAsync(JobRecord job, long last, CancellationToken cancellationToken)
    {
        var after = thread.PostedLogLine;
        if (last <= after)
        {
            return null;
        }
        // Newest lines win: when more are waiting than one excerpt reads, the oldest are never read.
        var from = Math.Max(after, last - Options.MaxLinesPerExcerpt);
        var readFrom = Math.Max(0, from - RedactionContextLines);
        var read = await keeper.Logs.ReadAfterAsync(JobId, readFrom, (int)(last - readFrom), cancellationToken).ConfigureAwait(false);
        // Redacted as one block before Fit cuts lines and drops the oldest: a secret is never split before it is found.
        var redactor = await keeper.Redaction.ForJobAsync(job, cancellationToken).ConfigureAwait(false);
        var lines = redactor.RedactLines(read, read.Count(line => line.Number <= from));
        var excerpt = LogExcerpt.Fit(lines, from - after, ThreadReplyRenderer.ExcerptCharacters);
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

            await PaceAsync(SlackWebClient.Methods.PostMessage, thread.ChannelId, cancellationToken).ConfigureAwait(false);
            var now = keeper.Time.GetUtcNow();

            var (tail, tailLines, redactor) = await ComposeTailAsync(job, cancellationToken).ConfigureAwait(false);
            var unshownInTail = tailLines.LongCount(line => line.Number > thread.PostedLogLine && (tail.IsEmpty || line.Number < tail.FirstShown));
            var fullLog = knowsWholeThread ? linesNotShownWhole + unshownInTail + tail.CutLines > 0 : !tail.ShowsAllOf(lastLine);
            var reply = await IntendAsync(keeper.Replies.Final(redactor.Redacted(job), tail, lastLine, fullLog, now, redactor.Warning),
                thread with { PostedState = finalState, PostedLogLine = Math.Max(thread.PostedLogLine, lastLine) }, now).ConfigureAwait(false);
            var posted = await PostAsync(Kinds.FinalReply, SlackWebClient.Methods.PostMessage, reply, ReplyAsync, cancellationToken).ConfigureAwait(false);
            if (posted is null && !skipped)
            {
                return;
            }
            fullLogNeeded = fullLog;
            keeper.Metrics.Lag(now - LastChange(job));
            await SaveAsync(thread with { PostedState = finalState, PostedLogLine = Math.Max(thread.PostedLogLine, lastLine) }).ConfigureAwait(false);
            return;
        }

        if (job.Version > thread.RenderedVersion)
        {
            // The thread is not closed before the message shows the end: here the update waits its turn however long.
            await UpdateJobMessageAsync(keeper.Pacer.ReserveMethod(SlackWebClient.Methods.Update), cancellationToken).ConfigureAwait(false);
            return;
        }

        // After a restart between the final reply and this step, upload unless the final tail shows every line whole.
        if (fullLogNeeded ?? !(await ComposeTailAsync(job, cancellationToken).ConfigureAwait(false)).Tail.ShowsAllOf(lastLine))
        {
            if (!await UploadFullLogAsync(job, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
        await SaveAsync(thread with { FinalPosted = true }).ConfigureAwait(false);
    }

    /// <summary>The final reply's tail: the last lines, redacted (with context) and fitted to one reply.</summary>
    private async Task<(LogExcerpt Tail, IReadOnlyList<LogLine> Lines, ITextRedactor Redactor)> ComposeTailAsync(JobRecord job, CancellationToken cancellationToken)
    {
        var read = await keeper.Logs.TailAsync(JobId, Options.FinalTailLines + RedactionContextLines, cancellationToken).ConfigureAwait(false);
        var redactor = await keeper.Redaction.ForJobAsync(job, cancellationToken).ConfigureAwait(false);
        var lines = redactor.RedactLines(read, Math.Max(0, read.Count - Options.FinalTailLines));
        return (LogExcerpt.Fit(lines, 0, ThreadReplyRenderer.ExcerptCharacters), lines, redactor);
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
                var redactor = await keeper.Redaction.ForJobAsync(job, cancellationToken).ConfigureAwait(false);
                await Interactions.FullLogFile.WriteAsync(file, job, keeper.Logs, redactor, keeper.FullLogMaxBytes, cancellationToken).ConfigureAwait(false);
            }

            await PaceAsync(SlackWebClient.Methods.GetUploadUrlExternal, null, cancellationToken).ConfigureAwait(false);
            await PaceAsync(SlackWebClient.Methods.CompleteUploadExternal, thread.ChannelId, cancellationToken).ConfigureAwait(false);
            var length = new FileInfo(path).Length;
            await SaveAsync(thread, ThreadPostIntents.FullLog(job, thread with { FinalPosted = true }, keeper.Time.GetUtcNow())).ConfigureAwait(false);
            await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            var outcome = await CallAsync(Kinds.FileUpload, SlackWebClient.Methods.CompleteUploadExternal, ct => keeper.Slack.UploadFileAsync(
                thread.ChannelId, thread.MessageTs, ThreadReplyRenderer.FullLogFileName(job), ThreadReplyRenderer.FullLogTitle(job), content, length, ct),
                cancellationToken).ConfigureAwait(false);
            switch (outcome)
            {
                case CallOutcome<UploadedFile>.Done:
                    return true;
                case CallOutcome<UploadedFile>.Refused refused when SlackErrors.DestinationGone.Contains(refused.Error.Error):
                    await CloseAsync(refused.Error.Error).ConfigureAwait(false);
                    return false;
                case CallOutcome<UploadedFile>.Refused refused when SlackErrors.Misconfigured.Contains(refused.Error.Error) && refused.Error.Error != SlackErrors.MissingScope:
                    await keeper.DelayAsync(Options.MaxBackoff, cancellationToken).ConfigureAwait(false);
                    return false;
                case CallOutcome<UploadedFile>.Refused refused:
                    // A file we may not upload (no files:write scope, say) must not hold the thread open forever.
                    logger.UploadRefused(JobId, refused.Error.Error);
                    return true;
                default:
                    return false;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The job as it is now; null when it is gone (the next step closes the thread).</summary>
    private Task<JobRecord?> CurrentJobAsync(CancellationToken cancellationToken) => keeper.Jobs.GetAsync(JobId, cancellationToken);

    /// <summary>The job as its message may show it: name, command, failure reason and notes redacted.</summary>
    private async Task<JobRecord> ShownAsync(JobRecord job, CancellationToken cancellationToken)
    {
        var redactor = await keeper.Redaction.ForJobAsync(job, cancellationToken).ConfigureAwait(false);
        return redactor.Redacted(job);
    }

    private Task<PostedMessage> ReplyAsync(SlackMessage message, CancellationToken cancellationToken) =>
        keeper.Slack.PostMessageAsync(thread.ChannelId, message, thread.MessageTs, cancellationToken);

    // Set by PostAsync when Slack refused a post for good and the thread moves on without it.
    private bool skipped;

    /// <summary>
    /// Posts with pacing and error handling. Returns the result, or null when the step must be tried again (429,
    /// 5xx) or was given up (<see cref="skipped"/> then tells which).
    /// </summary>
    private async Task<PostedMessage?> PostAsync(
        string kind, string method, SlackMessage message, Func<SlackMessage, CancellationToken, Task<PostedMessage>> post,
        CancellationToken cancellationToken)
    {
        // The caller has waited for the slot already (and composed the message after it, so it is current).
        skipped = false;
        var paceChannel = method == SlackWebClient.Methods.PostMessage ? thread.ChannelId : null;
        var outcome = await CallAsync(kind, method, ct => post(message, ct), cancellationToken).ConfigureAwait(false);
        if (outcome is CallOutcome<PostedMessage>.Refused { Error.Error: var error } && SlackErrors.BlocksRefused.Contains(error) && message.Blocks is not null)
        {
            // Slack refused the blocks: the text alone still tells the truth.
            logger.BlocksRefused(JobId, kind, error);
            await PaceAsync(method, paceChannel, cancellationToken).ConfigureAwait(false);
            outcome = await CallAsync(kind, method, ct => post(message with { Blocks = null }, ct), cancellationToken).ConfigureAwait(false);
        }

        switch (outcome)
        {
            case CallOutcome<PostedMessage>.Done done:
                return done.Result;
            case CallOutcome<PostedMessage>.Refused refused when SlackErrors.DestinationGone.Contains(refused.Error.Error):
                await CloseAsync(refused.Error.Error).ConfigureAwait(false);
                return null;
            case CallOutcome<PostedMessage>.Refused refused when SlackErrors.Misconfigured.Contains(refused.Error.Error):
                logger.ConfigurationError(JobId, refused.Error.Error);
                await keeper.DelayAsync(Options.MaxBackoff, cancellationToken).ConfigureAwait(false);
                return null;
            case CallOutcome<PostedMessage>.Refused refused when thread.MessageTs is not null:
                // Any other refusal of a reply or an update would repeat forever: skip this one post and move on.
                logger.PostSkipped(JobId, kind, refused.Error.Error);
                skipped = true;
                return null;
            case CallOutcome<PostedMessage>.Refused refused:
                // Without the job message there is no thread to keep.
                await CloseAsync(refused.Error.Error).ConfigureAwait(false);
                return null;
            default:
                return null;
        }
    }

    private async Task<CallOutcome<T>> CallAsync<T>(string kind, string method, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await RenewLeaseIfDueAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await call(cancellationToken).ConfigureAwait(false);
            transientFailures = 0;
            keeper.Metrics.Call(kind);
            return new CallOutcome<T>.Done(result);
        }
        catch (SlackRateLimitedException limited)
        {
            keeper.Pacer.Pause(limited.Method, thread.ChannelId, limited.RetryAfter);
            keeper.Metrics.RateLimited(limited.Method);
            logger.RateLimited(JobId, limited.Method, limited.RetryAfter.TotalSeconds);
            return new CallOutcome<T>.TryAgain();
        }
        catch (SlackTransientException transient)
        {
            // Slack may have taken a post whose answer was lost: look for it before posting again.
            pendingMayBeOut |= thread.Pending is not null;
            var backoff = Backoff(transientFailures++);
            keeper.Metrics.Failure(kind, "transient");
            logger.Transient(JobId, transient.Method, transient.Reason, backoff.TotalSeconds);
            await WaitKeepingLeaseAsync(backoff, cancellationToken).ConfigureAwait(false);
            return new CallOutcome<T>.TryAgain();
        }
        catch (SlackApiException refused)
        {
            keeper.Metrics.Failure(kind, refused.Error);
            return new CallOutcome<T>.Refused(refused);
        }
    }

    /// <summary>Waits for the method's workspace slot, then for a post's channel slot (taken only once the first has come).</summary>
    private async Task PaceAsync(string method, string? channel, CancellationToken cancellationToken)
    {
        await WaitKeepingLeaseAsync(keeper.Pacer.ReserveMethod(method), cancellationToken).ConfigureAwait(false);
        if (channel is not null)
        {
            await WaitKeepingLeaseAsync(keeper.Pacer.ReserveChannel(channel), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits, renewing the lease often enough that a long Retry-After never lets it lapse.</summary>
    private async Task WaitKeepingLeaseAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var until = keeper.Time.GetUtcNow() + wait;
        while (true)
        {
            var left = until - keeper.Time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return;
            }
            await keeper.DelayAsync(left < Options.LeaseDuration / 3 ? left : Options.LeaseDuration / 3, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            await RenewLeaseIfDueAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForNudgeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1));
        try
        {
            await nudges.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
            nudges.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: time to poll the logs or renew the lease.
        }
    }

    private async Task RenewLeaseIfDueAsync(CancellationToken cancellationToken)
    {
        var now = keeper.Time.GetUtcNow();
        if (now - leaseRenewedAt < Options.LeaseDuration / 3)
        {
            return;
        }
        if (!await keeper.Threads.TryLeaseAsync(JobId, keeper.OwnerId, now, now + Options.LeaseDuration, cancellationToken).ConfigureAwait(false))
        {
            throw new LeaseLostException();
        }
        leaseRenewedAt = now;
    }

    private async Task ReleaseLeaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await keeper.Threads.ReleaseAsync(JobId, keeper.OwnerId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The lease expires on its own.
            logger.ReleaseFailed(exception, JobId);
        }
    }

    private async Task CloseAsync(string why)
    {
        logger.ThreadGone(JobId, why);
        await SaveAsync(thread with { FinalPosted = true }).ConfigureAwait(false);
    }

    /// <summary>
    /// Saves the cursor even while stopping (what Slack already shows must be remembered), with the reply about to be
    /// posted or, by default, none pending.
    /// </summary>
    private async Task SaveAsync(JobThread next, ThreadPostIntent? pending = null)
    {
        next = next with { Pending = pending };
        await keeper.Threads.SaveAsync(next, CancellationToken.None).ConfigureAwait(false);
        thread = next;
    }

    /// <summary>Saves the reply's intent before it is posted (a store that cannot be written stops the post here), and tags the reply.</summary>
    private async Task<SlackMessage> IntendAsync(SlackMessage reply, JobThread after, DateTimeOffset now)
    {
        var intent = ThreadPostIntents.Reply(after, now);
        await SaveAsync(thread, intent).ConfigureAwait(false);
        return ThreadPostIntents.Tagged(reply, JobId, intent);
    }

    private Task SaveAsync() => SaveAsync(thread);

    private TimeSpan Backoff(int failures)
    {
        var exponential = Options.InitialBackoff * Math.Pow(2, Math.Min(failures, 16));
        var capped = exponential < Options.MaxBackoff ? exponential : Options.MaxBackoff;
        return capped * (0.8 + Random.Shared.NextDouble() * 0.4);
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

    private static DateTimeOffset LastChange(JobRecord job) => job.EnteredAt(job.State) ?? job.CreatedAt;

    private sealed class LeaseLostException : Exception;
}
