using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Specific.Jobs.Storage;

/// <summary>
/// The production job store on PostgreSQL: compare-and-set transitions, thread cursors and leases, the request
/// ledger, and LISTEN/NOTIFY for change notices. Every replica shares it; each write notifies every replica.
/// One class per contract does the work (<see cref="PostgresJobTable"/>, <see cref="PostgresThreadStore"/>,
/// <see cref="PostgresRequestLedger"/>, <see cref="PostgresAuditLog"/>, <see cref="PostgresRequesterNotices"/>, <see cref="PostgresRetention"/>) over one migrated <see cref="PostgresStoreDatabase"/>.
/// </summary>
public sealed partial class PostgresJobStore : ComposedJobStore
{
    private readonly PostgresStoreDatabase _database;
    private readonly PostgresJobChangeListener _changes;

    public PostgresJobStore(
        NpgsqlDataSource dataSource,
        TimeProvider timeProvider,
        PostgresJobStoreOptions? options = null,
        ILogger<PostgresJobStore>? logger = null)
        : this(Parts.Of(dataSource, timeProvider, options ?? new PostgresJobStoreOptions(), (ILogger?)logger ?? NullLogger.Instance))
    {
    }

    private PostgresJobStore(Parts parts)
        : base(
            parts.Jobs,
            new PostgresThreadStore(parts.Database),
            new PostgresRequestLedger(parts.Database, parts.Options),
            new PostgresAuditLog(parts.Database),
            new PostgresRequesterNotices(parts.Database),
            new PostgresRetention(parts.Database))
    {
        _database = parts.Database;
        _changes = parts.Changes;
        Approvals = new PostgresApprovals(parts.Database);
    }

    /// <summary>The NOTIFY channel; its payload is <c>jobId:version</c>.</summary>
    public string Channel => _database.Channel;

    /// <summary>The application_name of the watcher's listening connection, so operators (and tests) can find it.</summary>
    public string ListenerApplicationName => _changes.ListenerApplicationName;

    public override Task InitializeAsync(CancellationToken cancellationToken) => _database.InitializeAsync(cancellationToken);

    public override SchemaVersion? Schema => _database.MigratedVersion;

    /// <summary>The data source's connection string (Npgsql leaves the password out once a connection has opened).</summary>
    internal string ConnectionString => _database.DataSource.ConnectionString;

    /// <summary>The database, the change listener and the job table, which the other parts and this class share.</summary>
    private sealed record Parts(PostgresStoreDatabase Database, PostgresJobChangeListener Changes, PostgresJobTable Jobs, PostgresJobStoreOptions Options)
    {
        public static Parts Of(NpgsqlDataSource dataSource, TimeProvider timeProvider, PostgresJobStoreOptions options, ILogger log)
        {
            ArgumentNullException.ThrowIfNull(dataSource);
            ArgumentNullException.ThrowIfNull(timeProvider);
            var database = new PostgresStoreDatabase(dataSource, options.Schema, log);
            var changes = new PostgresJobChangeListener(database, options, log);
            return new Parts(database, changes, new PostgresJobTable(database, timeProvider, changes), options);
        }
    }
}
