using System.Threading.Channels;
using Specific.Jobs.Domain;
using Specific.Jobs.Observability;
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
    private readonly ThreadWriterServices _services;
    private readonly Action<JobThreadWriter, bool> _ended;
    private readonly ILogger _logger;
    private readonly ThreadLease _lease;
    private readonly ThreadExcerptComposer _excerpts;
    private readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private ThreadPoster _poster = null!;
    private JobThread _thread = null!;
    private DateTimeOffset _lastExcerptAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRenderAt;

    // What this writer saw itself; after a takeover it cannot know what earlier writers skipped.
    private bool _knowsWholeThread;
    private long _linesNotShownWhole; // skipped, or shown cut at LogExcerpt.MaxLineLength
    private bool? _fullLogNeeded;

    // A saved cursor without a message ts: an earlier writer may have posted and died before saving.
    private bool _mayHavePosted;

    // The cursor's pending reply may be in the thread: an earlier writer saved it, or Slack's answer to it was lost.
    private bool _pendingMayBeOut;

    /// <param name="services">What the writer works with, from its keeper.</param>
    /// <param name="jobId">The job whose message and thread this writer keeps.</param>
    /// <param name="ended">Told when the writer stops, and whether the thread is settled for good.</param>
    public JobThreadWriter(ThreadWriterServices services, string jobId, Action<JobThreadWriter, bool> ended)
    {
        _services = services;
        _ended = ended;
        _logger = services.Logger;
        JobId = jobId;
        _lease = new ThreadLease(services.Threads, jobId, services.OwnerId, services.Options.LeaseDuration, services.Time, _logger);
        _excerpts = new ThreadExcerptComposer(services, jobId);
    }

    public string JobId { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    private ThreadKeeperOptions Options => _services.Options;

    public void Start(CancellationToken stoppingToken) => Completion = Task.Run(() => RunAsync(stoppingToken), CancellationToken.None);

    public void Nudge() => _nudges.Writer.TryWrite(true);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var scope = JobLogScope.Begin(_logger, JobId);
        var settledForGood = false;
        var leased = false;
        _services.Metrics.Active(1);
        try
        {
            var job = await _services.Jobs.GetAsync(JobId, stoppingToken);
            if (job is null || !ThreadKeeper.IsSlackJob(job))
            {
                settledForGood = job is not null;
                return;
            }

            var saved = await _services.Threads.GetAsync(JobId, stoppingToken);
            if (saved?.FinalPosted == true)
            {
                settledForGood = true;
                return;
            }

            if (!await _lease.TryTakeAsync(stoppingToken))
            {
                _logger.LeaseHeldElsewhere(JobId);
                return;
            }
            leased = true;

            if (saved is null)
            {
                // Saved before anything is posted, so the sweep finds this thread again after a crash.
                _thread = new JobThread(JobId, job.Origin.ChannelId!, null, 0, null, 0, false);
                await SaveAsync();
            }
            else
            {
                _thread = saved;
            }
            _poster = new ThreadPoster(_services, _lease, JobId, _thread.ChannelId);
            _knowsWholeThread = _thread.MessageTs is null && _thread.PostedLogLine == 0;
            _mayHavePosted = saved is not null && saved.MessageTs is null;
            _pendingMayBeOut = _thread.Pending is not null;

            while (!_thread.FinalPosted)
            {
                stoppingToken.ThrowIfCancellationRequested();
                await _lease.RenewIfDueAsync(stoppingToken);
                var idle = await StepAsync(stoppingToken);
                if (idle is { } wait)
                {
                    await WaitForNudgeAsync(wait, stoppingToken);
                }
            }

            settledForGood = true;
            _logger.ThreadClosed(JobId);
        }
        catch (LeaseLostException)
        {
            leased = false;
            _logger.LeaseLost(JobId);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the next owner resumes from the saved cursor.
        }
        catch (Exception exception)
        {
            // The sweep starts a new writer for this job later; the cursor says where to resume.
            _logger.WriterFailed(exception, JobId);
        }
        finally
        {
            if (leased)
            {
                await _lease.ReleaseAsync();
            }
            _services.Metrics.Active(-1);
            _ended(this, settledForGood);
        }
    }

    /// <summary>Does the next thing the thread needs; returns how long to wait when there is nothing to do yet.</summary>
    private async Task<TimeSpan?> StepAsync(CancellationToken cancellationToken)
    {
        var job = await _services.Jobs.GetAsync(JobId, cancellationToken);
        if (job is null)
        {
            await CloseAsync("the job is gone");
            return null;
        }
        var now = _services.Time.GetUtcNow();

        if (_thread.MessageTs is null)
        {
            if (_mayHavePosted && await FindPostedMessageAsync(job, cancellationToken) is { } found)
            {
                // An earlier writer posted the message but died before saving its ts: adopt it, never post a second.
                _logger.MessageAdopted(JobId, found);
                await SaveAsync(_thread with { MessageTs = found });
                return null;
            }
            await PostJobMessageAsync(cancellationToken);
            return null;
        }
        if (_pendingMayBeOut && _thread.Pending is { } pending)
        {
            await FindPendingReplyAsync(pending, cancellationToken);
            return null;
        }

        // chat.update has one budget for the whole workspace (tier 3). A state change waits for it briefly; when many
        // jobs queue for it, this thread's replies and output go first and the update is tried again on the next step.
        var waits = new List<TimeSpan> { _lease.RenewInterval };
        if (job.Version > _thread.RenderedVersion)
        {
            if (_services.Pacer.TryReserveMethod(SlackWebClient.Methods.Update, Options.ExcerptInterval, out var updateIn))
            {
                await UpdateJobMessageAsync(updateIn, cancellationToken);
                return null;
            }
            waits.Add(updateIn);
        }

        if (Announcements(job, _thread.PostedState).Count > 0)
        {
            await AnnounceAsync(cancellationToken);
            return null;
        }

        var lastLine = await _services.Logs.LastNumberAsync(JobId, cancellationToken);
        if (job.State.IsFinal())
        {
            await FinishAsync(job, lastLine, cancellationToken);
            return null;
        }

        if (lastLine > _thread.PostedLogLine && job.State != JobState.Running)
        {
            // Lines exist only once the job runs: the job read above is older than them. Read it again before any
            // output, so the thread never shows output above its Queued and Running replies.
            return TimeSpan.Zero;
        }

        if (lastLine > _thread.PostedLogLine)
        {
            var due = _lastExcerptAt + Options.ExcerptInterval;
            if (due <= now || lastLine - _thread.PostedLogLine >= Options.MaxLinesPerExcerpt)
            {
                await PostExcerptAsync(job, upTo: null, cancellationToken);
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
                var refreshAt = _lastRenderAt + Options.RunningRefreshInterval;
                if (refreshAt <= now && _services.Pacer.TryReserveMethod(SlackWebClient.Methods.Update, TimeSpan.Zero, out var refreshIn))
                {
                    await UpdateJobMessageAsync(refreshIn, cancellationToken);
                    return null;
                }
                waits.Add(refreshAt > now ? refreshAt - now : Options.LogPollInterval);
            }
        }
        return waits.Min();
    }

    /// <summary>The job as it is now; null when it is gone (the next step closes the thread).</summary>
    private Task<JobRecord?> CurrentJobAsync(CancellationToken cancellationToken) => _services.Jobs.GetAsync(JobId, cancellationToken);

    /// <summary>Posts or updates through the poster; a reply or an update Slack refuses for good is skipped, the job message never.</summary>
    private async Task<PostOutcome<PostedMessage>> PostAsync(
        string kind, string method, SlackMessage message, Func<SlackMessage, CancellationToken, Task<PostedMessage>> post,
        CancellationToken cancellationToken)
    {
        // The caller has waited for the slot already (and composed the message after it, so it is current).
        var outcome = await _poster.PostAsync(kind, method, message, mayBeSkipped: _thread.MessageTs is not null, post, cancellationToken);
        return await SettleAsync(outcome);
    }

    /// <summary>Acts on what became of a post: closes a thread that is gone, and remembers a reply whose answer may be lost.</summary>
    private async Task<PostOutcome<T>> SettleAsync<T>(PostOutcome<T> outcome)
    {
        switch (outcome)
        {
            case PostOutcome<T>.NotYet { AnswerMayBeLost: true }:
                // Slack may have taken a post whose answer was lost: look for it before posting again.
                _pendingMayBeOut |= _thread.Pending is not null;
                break;
            case PostOutcome<T>.Gone gone:
                await CloseAsync(gone.Error);
                await NoteThreadStoppedAsync(gone.Error);
                await TellRequesterAsync(gone.Error);
                break;
        }
        return outcome;
    }

    /// <summary>Makes a reconciling call through the poster.</summary>
    private async Task<CallOutcome<T>> CallAsync<T>(string kind, string method, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var outcome = await _poster.CallAsync(kind, method, call, cancellationToken);
        if (outcome is CallOutcome<T>.TryAgain { AnswerMayBeLost: true })
        {
            // Slack may have taken the call and lost only its answer: look for the pending reply before posting again.
            _pendingMayBeOut |= _thread.Pending is not null;
        }
        return outcome;
    }

    private async Task WaitForNudgeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1));
        try
        {
            await _nudges.Reader.WaitToReadAsync(timeout.Token);
            _nudges.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: time to poll the logs or renew the lease.
        }
    }

    private async Task CloseAsync(string why)
    {
        _logger.ThreadGone(JobId, why);
        await SaveAsync(_thread with { FinalPosted = true });
    }

    /// <summary>
    /// Saves the cursor even while stopping (what Slack already shows must be remembered), with the reply about to be
    /// posted or, by default, none pending.
    /// </summary>
    private async Task SaveAsync(JobThread next, ThreadPostIntent? pending = null)
    {
        next = next with { Pending = pending };
        await _services.Threads.SaveAsync(next, CancellationToken.None);
        _thread = next;
    }

    private Task SaveAsync() => SaveAsync(_thread);

    private static DateTimeOffset LastChange(JobRecord job) => job.EnteredAt(job.State) ?? job.CreatedAt;
}
