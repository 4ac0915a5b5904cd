using Microsoft.Extensions.Options;
using Specific.Jobs.Storage;
using Specific.Slack.BlockKit;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Home;

/// <summary>
/// Keeps the Home tab of everyone who opened it current: publishes it when they open it, and again when one of their
/// jobs changes, learned from the store's change watch as the thread keeper learns it. Publishes are paced and
/// coalesced by <see cref="HomePublishSchedule"/>, one at a time, each rendered from the store as it starts.
/// </summary>
public sealed partial class HomePublisher : BackgroundService
{
    /// <summary>How many job owners are remembered, so a change of a known job costs no store read.</summary>
    public const int MaxKnownOwners = 10_000;

    /// <summary>views.publish's answer when the hash sent is not the view's current one.</summary>
    public const string HashConflict = "hash_conflict";

    private static readonly TimeSpan WatchBackoff = TimeSpan.FromSeconds(1);

    private readonly IJobStore _jobs;
    private readonly HomeTabReader _reader;
    private readonly HomeTabRenderer _renderer;
    private readonly SlackWebClient _slack;
    private readonly TimeProvider _time;
    private readonly ILogger<HomePublisher> _logger;
    private readonly HomeOptions _options;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Dictionary<string, string?> _owners = new(StringComparer.Ordinal);

    // The hash of the view each viewer has, as this replica last saw it: a publish carries it, so a view another replica
    // published since is not overwritten by one read before it (Slack answers hash_conflict, and the tab is read again).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);

    public HomePublisher(
        IJobStore jobs, HomeTabReader reader, HomeTabRenderer renderer, SlackWebClient slack, IOptions<HomeOptions> options,
        TimeProvider time, ILogger<HomePublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _jobs = jobs;
        _reader = reader;
        _renderer = renderer;
        _slack = slack;
        _time = time;
        _logger = logger;
        _options = options.Value;
        Viewers = new HomeViewers(_options.MaxViewers);
        Schedule = new HomePublishSchedule(_options.PublishInterval, TimeSpan.FromMinutes(1) / _options.PublishesPerMinute, time);
    }

    /// <summary>Who opened Home on this replica.</summary>
    public HomeViewers Viewers { get; }

    public HomePublishSchedule Schedule { get; }

    /// <summary>How many views.publish calls landed (for tests and the log).</summary>
    public long Published => Interlocked.Read(ref _published);

    private long _published;

    /// <summary>
    /// <paramref name="userId"/> opened their Home tab: follow them, and publish it (paced, coalesced).
    /// <paramref name="shownHash"/> is the hash of the view they have now (app_home_opened carries it), if any.
    /// </summary>
    public void Opened(string userId, string? shownHash = null)
    {
        if (Viewers.Opened(userId) is { } dropped)
        {
            LogViewerDropped(dropped, _options.MaxViewers);
            _hashes.TryRemove(dropped, out _);
        }

        if (!string.IsNullOrEmpty(shownHash))
        {
            // A hash this replica knows is its own latest; a retried event may carry an older one.
            _hashes.TryAdd(userId, shownHash);
        }

        Request(userId);
    }

    /// <summary>Asks for a publish of <paramref name="userId"/>'s tab.</summary>
    public void Request(string userId)
    {
        Schedule.Request(userId);
        Wake();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(WatchAsync(stoppingToken), PublishLoopAsync(stoppingToken));

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _jobs.WatchAsync(stoppingToken))
                {
                    if (Viewers.Count > 0 && await OwnerAsync(change.JobId, stoppingToken) is { } owner && Viewers.Contains(owner))
                    {
                        Request(owner);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A tab missed while the watch reconnects is published afresh the next time its person opens it.
                LogWatchFailed(exception);
            }

            try
            {
                await Task.Delay(WatchBackoff, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<string?> OwnerAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_owners)
        {
            if (_owners.TryGetValue(jobId, out var known))
            {
                return known;
            }
        }

        var owner = (await _jobs.GetAsync(jobId, cancellationToken))?.Origin.UserId;
        lock (_owners)
        {
            if (_owners.Count >= MaxKnownOwners)
            {
                _owners.Clear();
            }

            _owners[jobId] = owner;
        }

        return owner;
    }

    private async Task PublishLoopAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (Schedule.TakeDue(out var wait) is not { } userId)
            {
                if (!await WaitAsync(wait, stoppingToken))
                {
                    return;
                }

                continue;
            }

            try
            {
                await PublishAsync(userId, stoppingToken);
                Schedule.Done(userId);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (SlackApiException conflict) when (conflict.Error == HashConflict)
            {
                // Someone published since this replica last did: read the store again and publish that, after the interval.
                _hashes.TryRemove(userId, out _);
                Schedule.Done(userId, TimeSpan.Zero);
            }
            catch (SlackRateLimitedException limited)
            {
                Schedule.Done(userId, limited.RetryAfter, pauseWorkspace: true);
            }
            catch (SlackTransientException transient)
            {
                LogPublishFailed(transient, userId);
                Schedule.Done(userId, _options.PublishInterval);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Not retried: the next change or the next open publishes again.
                LogPublishFailed(exception, userId);
                Schedule.Done(userId);
            }
        }
    }

    private async Task PublishAsync(string userId, CancellationToken cancellationToken)
    {
        var view = _renderer.Render(await _reader.ReadAsync(userId, cancellationToken));
        if (BlockKitLimits.Check(view) is { Count: > 0 } broken)
        {
            throw new InvalidOperationException("The Home tab breaks Block Kit's limits: " + string.Join("; ", broken));
        }

        var published = await _slack.PublishViewAsync(userId, view, _hashes.GetValueOrDefault(userId), cancellationToken);
        if (published.Hash is { } hash)
        {
            _hashes[userId] = hash;
        }

        Interlocked.Increment(ref _published);
    }

    /// <summary>Waits for a request or for <paramref name="wait"/> to pass; false once the host stops.</summary>
    private async Task<bool> WaitAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var woken = _wake.WaitAsync(waiting.Token);
        var elapsed = Task.Delay(wait, _time, waiting.Token);
        await Task.WhenAny(woken, elapsed);
        await waiting.CancelAsync();
        return !stoppingToken.IsCancellationRequested;
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: the loop looks at every request when it runs.
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _wake.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Home tab's change watch failed; it starts again")]
    private partial void LogWatchFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the Home tab of {UserId} failed")]
    private partial void LogPublishFailed(Exception exception, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Home tab of {UserId} is no longer followed: more than {MaxViewers} people opened Home since")]
    private partial void LogViewerDropped(string userId, int maxViewers);
}
