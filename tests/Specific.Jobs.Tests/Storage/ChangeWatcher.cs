using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>Reads a store's change notices in the background so a test can wait for the one it expects.</summary>
public sealed class ChangeWatcher : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _reading;
    private Exception? _failure;

    public ChangeWatcher(IJobStore store)
    {
        _reading = ReadAsync(store);
    }

    /// <summary>Waits for a notice of <paramref name="jobId"/> at <paramref name="version"/> or later.</summary>
    public async Task<JobChanged> WaitForAsync(string jobId, long version, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        while (true)
        {
            lock (_lock)
            {
                if (_failure is not null)
                {
                    throw new InvalidOperationException("The watch failed.", _failure);
                }

                if (_seen.TryGetValue(jobId, out var seen) && seen >= version)
                {
                    return new JobChanged(jobId, seen);
                }
            }

            try
            {
                await _arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No notice of {jobId} at version {version} or later came.");
            }
        }
    }

    private async Task ReadAsync(IJobStore store)
    {
        try
        {
            await foreach (var change in store.WatchAsync(_stop.Token))
            {
                lock (_lock)
                {
                    _seen[change.JobId] = Math.Max(change.Version, _seen.GetValueOrDefault(change.JobId));
                }

                _arrived.Release();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                _failure = e;
            }

            _arrived.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
        _arrived.Dispose();
    }
}
