using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>
/// The production job store on PostgreSQL: compare-and-set transitions, thread cursors and leases, the request
/// ledger, and LISTEN/NOTIFY for change notices. Every replica shares it; each write notifies every replica.
/// One class per contract does the work (<see cref="PostgresJobTable"/>, <see cref="PostgresThreadStore"/>,
/// <see cref="PostgresRequestLedger"/>, <see cref="PostgresAuditLog"/>) over one migrated <see cref="PostgresStoreDatabase"/>.
/// </summary>
public sealed partial class PostgresJobStore : IJobStorageBackend
{
    private readonly PostgresStoreDatabase _database;
    private readonly PostgresJobChangeListener _changes;
    private readonly PostgresJobTable _jobs;
    private readonly PostgresThreadStore _threads;
    private readonly PostgresRequestLedger _ledger;
    private readonly PostgresAuditLog _audit;

    public PostgresJobStore(
        NpgsqlDataSource dataSource,
        TimeProvider timeProvider,
        PostgresJobStoreOptions? options = null,
        ILogger<PostgresJobStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new PostgresJobStoreOptions();
        var log = (ILogger?)logger ?? NullLogger.Instance;
        _database = new PostgresStoreDatabase(dataSource, options.Schema, log);
        _changes = new PostgresJobChangeListener(_database, options, log);
        _jobs = new PostgresJobTable(_database, timeProvider, _changes);
        _threads = new PostgresThreadStore(_database);
        _ledger = new PostgresRequestLedger(_database, options);
        _audit = new PostgresAuditLog(_database);
    }

    /// <summary>The NOTIFY channel; its payload is <c>jobId:version</c>.</summary>
    public string Channel => _database.Channel;

    /// <summary>The application_name of the watcher's listening connection, so operators (and tests) can find it.</summary>
    public string ListenerApplicationName => _changes.ListenerApplicationName;

    public Task InitializeAsync(CancellationToken cancellationToken) => _database.InitializeAsync(cancellationToken);

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

    /// <inheritdoc cref="PostgresJobChangeListener.WatchAsync"/>
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
}
