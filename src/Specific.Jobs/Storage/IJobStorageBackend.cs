namespace Specific.Jobs.Storage;

/// <summary>What a job store backend is to the host: the five contracts, retention's deletes, and the start-up step that migrates it.</summary>
internal interface IJobStorageBackend : IJobStore, IThreadStore, IRequestLedger, IAuditLog, IRequesterNotices, IStoreRetention, IApprovalStore
{
    /// <summary>Applies the schema migrations; safe to call from several callers and several processes at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The schema version the migration found; null until it has run.</summary>
    SchemaVersion? Schema { get; }
}
