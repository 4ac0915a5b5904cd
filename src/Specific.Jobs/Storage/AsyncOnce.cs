namespace Specific.Jobs.Storage;

/// <summary>
/// Runs a start-up step (migrations) once for every caller; a failed attempt is forgotten so the next caller retries.
/// One caller giving up does not cancel the step for the others.
/// </summary>
internal sealed class AsyncOnce(Func<CancellationToken, Task> step)
{
    private readonly Lock _lock = new();
    private Task? _running;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        Task running;
        lock (_lock)
        {
            if (_running is null || _running.IsFaulted || _running.IsCanceled)
            {
                _running = step(CancellationToken.None);
            }

            running = _running;
        }

        return running.IsCompletedSuccessfully ? Task.CompletedTask : running.WaitAsync(cancellationToken);
    }
}
