using Specific.Slack.BlockKit;
using Specific.Slack.WebApi;

using static Specific.JobsBot.Threads.ThreadCalls;

namespace Specific.JobsBot.Threads;

/// <summary>
/// Makes one thread writer's Slack calls: waits for the pacer's slots, backs off after transient failures, and sorts
/// Slack's refusals into what the writer does next (<see cref="PostOutcome{T}"/>).
/// </summary>
internal sealed class ThreadPoster
{
    private readonly string _jobId;
    private readonly string _channelId;
    private readonly ThreadLease _lease;
    private readonly SlackPacer _pacer;
    private readonly ThreadKeeperMetrics _metrics;
    private readonly ThreadKeeperOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _transientFailures;

    public ThreadPoster(ThreadWriterServices services, ThreadLease lease, string jobId, string channelId)
    {
        _jobId = jobId;
        _channelId = channelId;
        _lease = lease;
        _pacer = services.Pacer;
        _metrics = services.Metrics;
        _options = services.Options;
        _time = services.Time;
        _logger = services.Logger;
    }

    /// <summary>Waits for the method's workspace slot.</summary>
    public Task PaceAsync(string method, CancellationToken cancellationToken) =>
        _lease.WaitKeepingItAsync(_pacer.ReserveMethod(method), cancellationToken);

    /// <summary>Waits for the method's workspace slot, then for the channel's slot (taken only once the first has come).</summary>
    public async Task PaceIntoChannelAsync(string method, CancellationToken cancellationToken)
    {
        await PaceAsync(method, cancellationToken);
        await _lease.WaitKeepingItAsync(_pacer.ReserveChannel(_channelId), cancellationToken);
    }

    /// <summary>
    /// Posts or updates a message the caller composed after its slot came. Blocks Slack refuses are sent again as the
    /// text alone; a refusal of anything but the job message itself (<paramref name="mayBeSkipped"/>) skips that post.
    /// </summary>
    public async Task<PostOutcome<PostedMessage>> PostAsync(
        string kind, string method, SlackMessage message, bool mayBeSkipped,
        Func<SlackMessage, CancellationToken, Task<PostedMessage>> post, CancellationToken cancellationToken)
    {
        var outcome = await CallAsync(kind, method, ct => post(message, ct), cancellationToken);
        if (outcome is CallOutcome<PostedMessage>.Refused { Error.Error: var error } && SlackErrors.BlocksRefused.Contains(error) && message.Blocks is not null)
        {
            // Slack refused the blocks: the text alone still tells the truth.
            _logger.BlocksRefused(_jobId, kind, error);
            if (method == SlackWebClient.Methods.PostMessage)
            {
                await PaceIntoChannelAsync(method, cancellationToken);
            }
            else
            {
                await PaceAsync(method, cancellationToken);
            }
            outcome = await CallAsync(kind, method, ct => post(message with { Blocks = null }, ct), cancellationToken);
        }

        switch (outcome)
        {
            case CallOutcome<PostedMessage>.Done done:
                return new PostOutcome<PostedMessage>.Posted(done.Result);
            case CallOutcome<PostedMessage>.Refused refused when SlackErrors.DestinationGone.Contains(refused.Error.Error):
                return new PostOutcome<PostedMessage>.Gone(refused.Error.Error);
            case CallOutcome<PostedMessage>.Refused refused when SlackErrors.Misconfigured.Contains(refused.Error.Error):
                _logger.ConfigurationError(_jobId, refused.Error.Error);
                await _time.DelayUnlessStoppedAsync(_options.MaxBackoff, cancellationToken);
                return new PostOutcome<PostedMessage>.NotYet(AnswerMayBeLost: false);
            case CallOutcome<PostedMessage>.Refused refused when mayBeSkipped:
                // Any other refusal of a reply or an update would repeat forever: skip this one post and move on.
                _logger.PostSkipped(_jobId, kind, refused.Error.Error);
                return new PostOutcome<PostedMessage>.Skipped();
            case CallOutcome<PostedMessage>.Refused refused:
                // Without the job message there is no thread to keep.
                return new PostOutcome<PostedMessage>.Gone(refused.Error.Error);
            case CallOutcome<PostedMessage>.TryAgain tryAgain:
                return new PostOutcome<PostedMessage>.NotYet(tryAgain.AnswerMayBeLost);
            default:
                throw new InvalidOperationException($"Unknown call outcome {outcome}.");
        }
    }

    /// <summary>Uploads a file into the thread; a refusal other than a misconfiguration ends the thread without it.</summary>
    public async Task<PostOutcome<UploadedFile>> UploadAsync(Func<CancellationToken, Task<UploadedFile>> upload, CancellationToken cancellationToken)
    {
        var outcome = await CallAsync(Kinds.FileUpload, SlackWebClient.Methods.CompleteUploadExternal, upload, cancellationToken);
        switch (outcome)
        {
            case CallOutcome<UploadedFile>.Done done:
                return new PostOutcome<UploadedFile>.Posted(done.Result);
            case CallOutcome<UploadedFile>.Refused refused when SlackErrors.DestinationGone.Contains(refused.Error.Error):
                return new PostOutcome<UploadedFile>.Gone(refused.Error.Error);
            case CallOutcome<UploadedFile>.Refused refused when SlackErrors.Misconfigured.Contains(refused.Error.Error) && refused.Error.Error != SlackErrors.MissingScope:
                await _time.DelayUnlessStoppedAsync(_options.MaxBackoff, cancellationToken);
                return new PostOutcome<UploadedFile>.NotYet(AnswerMayBeLost: false);
            case CallOutcome<UploadedFile>.Refused refused:
                // A file we may not upload (no files:write scope, say) must not hold the thread open forever.
                _logger.UploadRefused(_jobId, refused.Error.Error);
                return new PostOutcome<UploadedFile>.Skipped();
            case CallOutcome<UploadedFile>.TryAgain tryAgain:
                return new PostOutcome<UploadedFile>.NotYet(tryAgain.AnswerMayBeLost);
            default:
                throw new InvalidOperationException($"Unknown call outcome {outcome}.");
        }
    }

    /// <summary>Makes one call, renewing the lease first; a 429 pauses the method, a transient failure waits its backoff.</summary>
    public async Task<CallOutcome<T>> CallAsync<T>(string kind, string method, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await _lease.RenewIfDueAsync(cancellationToken);
        try
        {
            var result = await call(cancellationToken);
            _transientFailures = 0;
            _metrics.Call(kind);
            return new CallOutcome<T>.Done(result);
        }
        catch (SlackRateLimitedException limited)
        {
            _pacer.Pause(limited.Method, _channelId, limited.RetryAfter);
            _metrics.RateLimited(limited.Method);
            _logger.RateLimited(_jobId, limited.Method, limited.RetryAfter.TotalSeconds);
            return new CallOutcome<T>.TryAgain(AnswerMayBeLost: false);
        }
        catch (SlackTransientException transient)
        {
            var backoff = Backoff(_transientFailures++);
            _metrics.Failure(kind, "transient");
            _logger.Transient(_jobId, transient.Method, transient.Reason, backoff.TotalSeconds);
            await _lease.WaitKeepingItAsync(backoff, cancellationToken);
            return new CallOutcome<T>.TryAgain(AnswerMayBeLost: true);
        }
        catch (SlackApiException refused)
        {
            _metrics.Failure(kind, refused.Error);
            return new CallOutcome<T>.Refused(refused);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var exponential = _options.InitialBackoff * Math.Pow(2, Math.Min(failures, 16));
        var capped = exponential < _options.MaxBackoff ? exponential : _options.MaxBackoff;
        return capped * (0.8 + Random.Shared.NextDouble() * 0.4);
    }
}
