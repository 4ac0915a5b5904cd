namespace Specific.JobsBot.Threads;

/// <summary>Delays of the thread keeper that end early, without throwing, when it stops: the caller checks its token.</summary>
internal static class StoppableDelay
{
    /// <summary>Waits <paramref name="delay"/> on <paramref name="time"/>'s clock, or until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task DelayUnlessStoppedAsync(this TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the caller checks the token.
        }
    }
}
