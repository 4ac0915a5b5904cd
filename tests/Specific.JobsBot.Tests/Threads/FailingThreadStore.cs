using Specific.Jobs.Storage;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>
/// The real SQLite thread store on a file of its own, whose writes fail on demand the way a full disk fails them: every
/// write while <see cref="DiskFull"/> is set, or only the cursor saves a test picks. Reads keep working.
/// </summary>
internal sealed class FailingThreadStore : IThreadStore, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "jobsbot-threads-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteJobStore _inner;
    private Func<JobThread, bool> _failSave = _ => false;
    private int _failedWrites;

    public FailingThreadStore()
    {
        Directory.CreateDirectory(_directory);
        _inner = new SqliteJobStore(Path.Combine(_directory, "threads.db"), TimeProvider.System);
    }

    /// <summary>While true, every write (cursor, lease, release) fails.</summary>
    public bool DiskFull { get; set; }

    /// <summary>How many writes have failed so far.</summary>
    public int FailedWrites => Volatile.Read(ref _failedWrites);

    /// <summary>Fails the cursor saves <paramref name="when"/> matches, until <see cref="Recover"/>.</summary>
    public void FailSavesWhere(Func<JobThread, bool> when) => _failSave = when;

    /// <summary>The disk has room again: every write succeeds from now on.</summary>
    public void Recover()
    {
        _failSave = _ => false;
        DiskFull = false;
    }

    public Task<JobThread?> GetAsync(string jobId, CancellationToken cancellationToken) => ((IThreadStore)_inner).GetAsync(jobId, cancellationToken);

    public Task SaveAsync(JobThread thread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thread);
        ThrowIfFull(_failSave(thread));
        return _inner.SaveAsync(thread, cancellationToken);
    }

    public Task<bool> TryLeaseAsync(string jobId, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ThrowIfFull(false);
        return _inner.TryLeaseAsync(jobId, owner, now, until, cancellationToken);
    }

    public Task ReleaseAsync(string jobId, string owner, CancellationToken cancellationToken)
    {
        ThrowIfFull(false);
        return _inner.ReleaseAsync(jobId, owner, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListOpenAsync(CancellationToken cancellationToken) => _inner.ListOpenAsync(cancellationToken);

    public void Dispose()
    {
        _inner.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private void ThrowIfFull(bool failThisOne)
    {
        if (DiskFull || failThisOne)
        {
            Interlocked.Increment(ref _failedWrites);
            throw new IOException("No space left on device (a test's full disk).");
        }
    }
}
