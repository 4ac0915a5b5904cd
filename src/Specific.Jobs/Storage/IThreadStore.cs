namespace Specific.Jobs.Storage;

/// <summary>
/// Where the thread keeper remembers what it has posted for each job, so a restart posts nothing twice and loses
/// nothing; and the lease that makes it the only writer of a thread across replicas.
/// </summary>
public interface IThreadStore
{
    Task<JobThread?> GetAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the cursor of one job's thread.</summary>
    Task SaveAsync(JobThread thread, CancellationToken cancellationToken);

    /// <summary>
    /// Takes or renews the lease on a job's thread for <paramref name="owner"/>. True when this owner holds it
    /// until <paramref name="until"/>; false when another owner holds an unexpired lease.
    /// </summary>
    Task<bool> TryLeaseAsync(string jobId, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    Task ReleaseAsync(string jobId, string owner, CancellationToken cancellationToken);

    /// <summary>Jobs whose thread has not yet received its final post.</summary>
    Task<IReadOnlyList<string>> ListOpenAsync(CancellationToken cancellationToken);
}

/// <summary>The thread keeper's cursor for one job's Slack message and thread.</summary>
/// <param name="MessageTs">The ts of the job message, once posted.</param>
/// <param name="RenderedVersion">The job version last rendered into the message.</param>
/// <param name="PostedState">The last state announced in the thread (wire name), if any.</param>
/// <param name="PostedLogLine">The number of the last log line posted (or skipped) in the thread.</param>
/// <param name="FinalPosted">True once the final reply went out; the thread is then closed.</param>
public sealed record JobThread(
    string JobId,
    string ChannelId,
    string? MessageTs,
    long RenderedVersion,
    string? PostedState,
    long PostedLogLine,
    bool FinalPosted)
{
    /// <summary>A reply that was about to be posted when this cursor was saved: it may be in the thread already.</summary>
    public ThreadPostIntent? Pending { get; init; }
}

/// <summary>
/// A thread reply (or the full-log file) saved before it is posted: the marker it carries, so a later writer can find
/// it in the thread, and where the cursor stands once it is out.
/// </summary>
/// <param name="Marker">Sent with the reply as message metadata; for the full-log file, the file's name.</param>
/// <param name="At">When the post was about to go out: a lookup reads the thread from a little before.</param>
/// <param name="PostedState">The cursor's <see cref="JobThread.PostedState"/> once the reply is out.</param>
/// <param name="PostedLogLine">The cursor's <see cref="JobThread.PostedLogLine"/> once the reply is out.</param>
/// <param name="FinalPosted">The cursor's <see cref="JobThread.FinalPosted"/> once the reply is out.</param>
public sealed record ThreadPostIntent(string Marker, DateTimeOffset At, string? PostedState, long PostedLogLine, bool FinalPosted);

/// <summary>Remembers request keys (Slack retries, double clicks) so that each has one effect.</summary>
public interface IRequestLedger
{
    /// <summary>True the first time a key is seen; false for every repeat.</summary>
    Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken);
}
