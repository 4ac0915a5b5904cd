namespace Specific.Jobs.Storage;

/// <summary>
/// The job store of the embedded default on one SQLite file, with the same semantics as <see cref="PostgresJobStore"/>:
/// compare-and-set transitions, thread cursors and leases, the request ledger, and change notices. One class per
/// contract does the work (<see cref="SqliteJobTable"/>, <see cref="SqliteThreadStore"/>, <see cref="SqliteRequestLedger"/>,
/// <see cref="SqliteAuditLog"/>, <see cref="SqliteRequesterNotices"/>, <see cref="SqliteRetention"/>) over one migrated <see cref="SqliteStoreDatabase"/>.
/// </summary>
public sealed class SqliteJobStore : ComposedJobStore, IDisposable
{
    private readonly SqliteStoreDatabase _store;

    public SqliteJobStore(string path, TimeProvider timeProvider, SqliteJobStoreOptions? options = null)
        : this(new SqliteStoreDatabase(new SqliteDatabase(path)), timeProvider, options ?? new SqliteJobStoreOptions())
    {
    }

    private SqliteJobStore(SqliteStoreDatabase store, TimeProvider timeProvider, SqliteJobStoreOptions options)
        : base(
            new SqliteJobTable(store, timeProvider ?? throw new ArgumentNullException(nameof(timeProvider)), options),
            new SqliteThreadStore(store),
            new SqliteRequestLedger(store, options),
            new SqliteAuditLog(store),
            new SqliteRequesterNotices(store),
            new SqliteRetention(store))
    {
        _store = store;
        Approvals = new SqliteApprovals(store);
    }

    /// <summary>The full path of the database file.</summary>
    public string Path => _store.Database.Path;

    public override Task InitializeAsync(CancellationToken cancellationToken) => _store.InitializeAsync(cancellationToken);

    public override SchemaVersion? Schema => _store.MigratedVersion;

    /// <summary>Closes this file's pooled connections.</summary>
    public void Dispose() => _store.Database.ClearPool();
}
