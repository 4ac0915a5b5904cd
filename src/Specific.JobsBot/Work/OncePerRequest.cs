using System.Collections.Concurrent;
using Specific.Jobs.Storage;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Work;

/// <summary>What <see cref="OncePerRequest.TryEnqueue"/> did with a request.</summary>
public enum OnceOutcome
{
    /// <summary>Queued; the durable ledger decides on the queue, before the work starts.</summary>
    Queued,

    /// <summary>This replica has seen the key recently: a Slack retry or a double click. Nothing was queued.</summary>
    Repeat,

    /// <summary>The queue is full: nothing was queued, and the key is forgotten so a retry may try again.</summary>
    Busy,
}

/// <summary>
/// Gives each Slack request one effect without making the acknowledgement wait on storage. This replica's memory of
/// recent request keys turns away a repeat at once; the durable <see cref="IRequestLedger"/> is written on the
/// <see cref="FrontDoorQueue"/>, after the answer and before the work starts, so a repeat that reaches another replica
/// (whose memory has not seen it) still starts nothing.
/// </summary>
public sealed partial class OncePerRequest(FrontDoorQueue queue, TimeProvider clock, ILogger<OncePerRequest> logger)
{
    /// <summary>How long this replica remembers a key: Slack's retries of one request come within minutes.</summary>
    public static readonly TimeSpan MemoryWindow = TimeSpan.FromMinutes(10);

    /// <summary>Keys remembered at most; past it a repeat is still caught, by the durable ledger alone.</summary>
    public const int MemoryCapacity = 100_000;

    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _recent = new(StringComparer.Ordinal);
    private long _nextPruneTicks;

    /// <summary>
    /// Queues <paramref name="runAsync"/> to run once per <paramref name="key"/> across replicas (a null key has no
    /// identity and always runs). When the durable ledger cannot be reached, <paramref name="replyTo"/> is told that
    /// nothing was started.
    /// </summary>
    public OnceOutcome TryEnqueue(
        string? key, string description, ReplyTarget replyTo, Func<IServiceProvider, CancellationToken, Task> runAsync, string? jobId = null)
    {
        ArgumentNullException.ThrowIfNull(runAsync);
        if (key is null)
        {
            return queue.TryEnqueue(description, runAsync, jobId) ? OnceOutcome.Queued : OnceOutcome.Busy;
        }

        var now = clock.GetUtcNow();
        PruneIfDue(now);
        if (!Remember(key, now))
        {
            return OnceOutcome.Repeat;
        }

        if (queue.TryEnqueue(description, (services, token) => RunOnceAsync(key, now, description, replyTo, runAsync, services, token), jobId))
        {
            return OnceOutcome.Queued;
        }

        _recent.TryRemove(key, out _);
        return OnceOutcome.Busy;
    }

    /// <summary>True when the key is new to this replica's memory (or the memory is full and cannot tell).</summary>
    private bool Remember(string key, DateTimeOffset now)
    {
        if (_recent.TryGetValue(key, out var seen) && now - seen < MemoryWindow)
        {
            return false;
        }

        if (_recent.Count >= MemoryCapacity)
        {
            return true;
        }

        // Two racing requests with one key: exactly one adds it (or refreshes an expired entry) and goes on.
        return seen == default ? _recent.TryAdd(key, now) : _recent.TryUpdate(key, now, seen);
    }

    private void PruneIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextPruneTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextPruneTicks, (now + PruneEvery).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var (key, seen) in _recent)
        {
            if (now - seen >= MemoryWindow)
            {
                _recent.TryRemove(KeyValuePair.Create(key, seen));
            }
        }
    }

    private async Task RunOnceAsync(
        string key, DateTimeOffset receivedAt, string description, ReplyTarget replyTo,
        Func<IServiceProvider, CancellationToken, Task> runAsync, IServiceProvider services, CancellationToken cancellationToken)
    {
        bool first;
        try
        {
            first = await services.GetRequiredService<IRequestLedger>().TryRecordAsync(key, receivedAt, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogLedgerFailed(ex, description);
            // Nothing happened, so a new attempt of the same request may go ahead.
            _recent.TryRemove(key, out _);
            await TellAsync(services, replyTo, $":x: Couldn't check whether this request was already handled ({ex.Message}). Nothing was started; try again in a moment.");
            return;
        }

        if (!first)
        {
            LogRepeat(description);
            return;
        }

        await runAsync(services, cancellationToken);
    }

    private async Task TellAsync(IServiceProvider services, ReplyTarget replyTo, string text)
    {
        try
        {
            await services.GetRequiredService<SlackWebClient>().TellAsync(replyTo, text, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogReplyFailed(ex, replyTo.UserId);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The request ledger failed; nothing was started: {Description}")]
    private partial void LogLedgerFailed(Exception exception, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "A repeat of a request another replica already handled was dropped: {Description}")]
    private partial void LogRepeat(string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell {UserId} that nothing was started")]
    private partial void LogReplyFailed(Exception exception, string userId);
}
