namespace Specific.Jobs.Storage;

/// <summary>
/// A wake-up for one watcher: any number of <see cref="Set"/> calls before the watcher waits become one wake-up.
/// Coalesces, never loses: a set after the watcher last woke always wakes it again.
/// </summary>
internal sealed class ChangeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set: the watcher has a wake-up pending.
        }
        catch (ObjectDisposedException)
        {
            // The watcher has gone.
        }
    }

    /// <summary>True when set, false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
