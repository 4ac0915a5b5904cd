using Specific.Jobs.Storage;

namespace Specific.JobsBot.Threads;

/// <summary>
/// One writer's lease on one job's thread in <see cref="IThreadStore"/>: taken before anything is written, renewed once a
/// third of it has passed, released on the way out, so each thread has one writer across replicas.
/// </summary>
internal sealed class ThreadLease
{
    private readonly IThreadStore threads;
    private readonly string jobId;
    private readonly string ownerId;
    private readonly TimeSpan duration;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private DateTimeOffset renewedAt;

    public ThreadLease(IThreadStore threads, string jobId, string ownerId, TimeSpan duration, TimeProvider time, ILogger logger)
    {
        this.threads = threads;
        this.jobId = jobId;
        this.ownerId = ownerId;
        this.duration = duration;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>How often the lease is renewed, and so the longest its holder may wait without looking at it.</summary>
    public TimeSpan RenewInterval => duration / 3;

    /// <summary>Takes the lease; false when another keeper holds it.</summary>
    public async Task<bool> TryTakeAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await threads.TryLeaseAsync(jobId, ownerId, now, now + duration, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        renewedAt = now;
        return true;
    }

    /// <summary>Renews the lease once a third of it has passed; throws <see cref="LeaseLostException"/> when another keeper took it.</summary>
    public async Task RenewIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - renewedAt < RenewInterval)
        {
            return;
        }
        if (!await threads.TryLeaseAsync(jobId, ownerId, now, now + duration, cancellationToken).ConfigureAwait(false))
        {
            throw new LeaseLostException();
        }
        renewedAt = now;
    }

    /// <summary>Waits, renewing the lease often enough that a long Retry-After never lets it lapse.</summary>
    public async Task WaitKeepingItAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + wait;
        while (true)
        {
            var left = until - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return;
            }
            await time.DelayUnlessStoppedAsync(left < RenewInterval ? left : RenewInterval, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            await RenewIfDueAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lets another keeper take the thread at once; a failure is only logged, as the lease expires on its own.</summary>
    public async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await threads.ReleaseAsync(jobId, ownerId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            logger.ReleaseFailed(exception, jobId);
        }
    }
}

/// <summary>Another keeper took the thread's lease: its writer stops without writing anything more.</summary>
internal sealed class LeaseLostException : Exception;
