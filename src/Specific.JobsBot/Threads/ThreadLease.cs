using Specific.Jobs.Storage;

namespace Specific.JobsBot.Threads;

/// <summary>
/// One writer's lease on one job's thread in <see cref="IThreadStore"/>: taken before anything is written, renewed once a
/// third of it has passed, released on the way out, so each thread has one writer across replicas.
/// </summary>
internal sealed class ThreadLease
{
    private readonly IThreadStore _threads;
    private readonly string _jobId;
    private readonly string _ownerId;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DateTimeOffset _renewedAt;

    public ThreadLease(IThreadStore threads, string jobId, string ownerId, TimeSpan duration, TimeProvider time, ILogger logger)
    {
        _threads = threads;
        _jobId = jobId;
        _ownerId = ownerId;
        _duration = duration;
        _time = time;
        _logger = logger;
    }

    /// <summary>How often the lease is renewed, and so the longest its holder may wait without looking at it.</summary>
    public TimeSpan RenewInterval => _duration / 3;

    /// <summary>Takes the lease; false when another keeper holds it.</summary>
    public async Task<bool> TryTakeAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (!await _threads.TryLeaseAsync(_jobId, _ownerId, now, now + _duration, cancellationToken))
        {
            return false;
        }
        _renewedAt = now;
        return true;
    }

    /// <summary>Renews the lease once a third of it has passed; throws <see cref="LeaseLostException"/> when another keeper took it.</summary>
    public async Task RenewIfDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (now - _renewedAt < RenewInterval)
        {
            return;
        }
        if (!await _threads.TryLeaseAsync(_jobId, _ownerId, now, now + _duration, cancellationToken))
        {
            throw new LeaseLostException();
        }
        _renewedAt = now;
    }

    /// <summary>Waits, renewing the lease often enough that a long Retry-After never lets it lapse.</summary>
    public async Task WaitKeepingItAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var until = _time.GetUtcNow() + wait;
        while (true)
        {
            var left = until - _time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return;
            }
            await _time.DelayUnlessStoppedAsync(left < RenewInterval ? left : RenewInterval, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            await RenewIfDueAsync(cancellationToken);
        }
    }

    /// <summary>Lets another keeper take the thread at once; a failure is only logged, as the lease expires on its own.</summary>
    public async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _threads.ReleaseAsync(_jobId, _ownerId, timeout.Token);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            _logger.ReleaseFailed(exception, _jobId);
        }
    }
}

/// <summary>Another keeper took the thread's lease: its writer stops without writing anything more.</summary>
internal sealed class LeaseLostException : Exception;
