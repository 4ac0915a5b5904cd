using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>
/// The job store of the embedded default on one SQLite file, with the same semantics as <see cref="PostgresJobStore"/>:
/// compare-and-set transitions, thread cursors and leases, the request ledger, and change notices. One class per
/// contract does the work (<see cref="SqliteJobTable"/>, <see cref="SqliteThreadStore"/>, <see cref="SqliteRequestLedger"/>,
/// <see cref="SqliteAuditLog"/>) over one migrated <see cref="SqliteStoreDatabase"/>.
/// </summary>
public sealed class SqliteJobStore : IJobStorageBackend, IDisposable
{
    private readonly SqliteStoreDatabase _store;
    private readonly SqliteJobTable _jobs;
    private readonly SqliteThreadStore _threads;
    private readonly SqliteRequestLedger _ledger;
    private readonly SqliteAuditLog _audit;

    public SqliteJobStore(string path, TimeProvider timeProvider, SqliteJobStoreOptions? options = null)
    {
        var database = new SqliteDatabase(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new SqliteJobStoreOptions();
        _store = new SqliteStoreDatabase(database);
        _jobs = new SqliteJobTable(_store, timeProvider, options);
        _threads = new SqliteThreadStore(_store);
        _ledger = new SqliteRequestLedger(_store, options);
        _audit = new SqliteAuditLog(_store);
    }

    /// <summary>The full path of the database file.</summary>
    public string Path => _store.Database.Path;

    public Task InitializeAsync(CancellationToken cancellationToken) => _store.InitializeAsync(cancellationToken);

    public Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken) =>
        _jobs.CreateAsync(request, cancellationToken);

    public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        _jobs.GetAsync(jobId, cancellationToken);

    public Task<TransitionResult> TryTransitionAsync(
        string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken) =>
        _jobs.TryTransitionAsync(jobId, expected, transition, cancellationToken);

    public Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken) =>
        _jobs.AddDetailsAsync(jobId, details, cancellationToken);

    public Task<JobRecord?> RequestCancelAsync(string jobId, string requestedBy, DateTimeOffset at, CancellationToken cancellationToken) =>
        _jobs.RequestCancelAsync(jobId, requestedBy, at, cancellationToken);

    public Task<bool> TryMarkCreateRequestedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _jobs.TryMarkCreateRequestedAsync(jobId, at, cancellationToken);

    public Task ClearCreateRequestedAsync(string jobId, CancellationToken cancellationToken) =>
        _jobs.ClearCreateRequestedAsync(jobId, cancellationToken);

    public Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken) =>
        _jobs.ListAsync(query, cancellationToken);

    /// <inheritdoc cref="SqliteJobTable.WatchAsync"/>
    public IAsyncEnumerable<JobChanged> WatchAsync(CancellationToken cancellationToken) =>
        _jobs.WatchAsync(cancellationToken);

    Task<JobThread?> IThreadStore.GetAsync(string jobId, CancellationToken cancellationToken) =>
        _threads.GetAsync(jobId, cancellationToken);

    public Task SaveAsync(JobThread thread, CancellationToken cancellationToken) =>
        _threads.SaveAsync(thread, cancellationToken);

    public Task<bool> TryLeaseAsync(
        string jobId, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        _threads.TryLeaseAsync(jobId, owner, now, until, cancellationToken);

    public Task ReleaseAsync(string jobId, string owner, CancellationToken cancellationToken) =>
        _threads.ReleaseAsync(jobId, owner, cancellationToken);

    /// <summary>Jobs with a saved thread cursor whose final reply has not gone out.</summary>
    public Task<IReadOnlyList<string>> ListOpenAsync(CancellationToken cancellationToken) =>
        _threads.ListOpenAsync(cancellationToken);

    public Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken) =>
        _ledger.TryRecordAsync(key, at, cancellationToken);

    public Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        _audit.AppendAsync(entry, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken) =>
        _audit.ListAsync(query, cancellationToken);

    /// <summary>Closes this file's pooled connections.</summary>
    public void Dispose() => _store.Database.ClearPool();
}
