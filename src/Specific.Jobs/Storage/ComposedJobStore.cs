using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>
/// A job store made of one class per contract (the job table, the thread cursors, the request ledger, the audit
/// log, the requester notices and retention's deletes), each call passed on to its part: what the PostgreSQL and SQLite stores share, written once.
/// </summary>
public abstract class ComposedJobStore : IJobStorageBackend
{
    private IApprovalStore? _approvals;

    private readonly IJobStore _jobs;
    private readonly IThreadStore _threads;
    private readonly IRequestLedger _ledger;
    private readonly IAuditLog _audit;
    private readonly IRequesterNotices _notices;
    private readonly IStoreRetention _retention;

    private protected ComposedJobStore(
        IJobStore jobs, IThreadStore threads, IRequestLedger ledger, IAuditLog audit, IRequesterNotices notices, IStoreRetention retention)
    {
        _retention = retention;
        _jobs = jobs;
        _threads = threads;
        _ledger = ledger;
        _audit = audit;
        _notices = notices;
    }

    /// <summary>The runs waiting for approval, set by the store before it serves (a part like the others, kept apart to leave their constructor as it was).</summary>
    private protected IApprovalStore Approvals
    {
        get => _approvals ?? throw new InvalidOperationException("This store keeps no approvals.");
        init => _approvals = value;
    }

    /// <summary>Applies the schema migrations; safe to call from several callers and several processes at once.</summary>
    public abstract Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The schema version the migration found (the highest step recorded, and the highest this release knows); null until it has run.</summary>
    public abstract SchemaVersion? Schema { get; }

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

    /// <summary>Every job change, from every replica where the store can tell (PostgreSQL's NOTIFY), else this process's.</summary>
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

    public Task<bool?> GetDmOnJobEndAsync(string userId, CancellationToken cancellationToken) =>
        _notices.GetDmOnJobEndAsync(userId, cancellationToken);

    public Task SetDmOnJobEndAsync(string userId, bool on, DateTimeOffset at, CancellationToken cancellationToken) =>
        _notices.SetDmOnJobEndAsync(userId, on, at, cancellationToken);

    public Task<bool> TryClaimJobEndDmAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _notices.TryClaimJobEndDmAsync(jobId, at, cancellationToken);

    public Task<IReadOnlyList<string>> ListLogsToPruneAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken) =>
        _retention.ListLogsToPruneAsync(endedBefore, limit, cancellationToken);

    public Task MarkLogsPrunedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _retention.MarkLogsPrunedAsync(jobId, at, cancellationToken);

    public Task<int> DeleteEndedJobsAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken) =>
        _retention.DeleteEndedJobsAsync(endedBefore, limit, cancellationToken);

    public Task<int> DeleteAuditEntriesAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        _retention.DeleteAuditEntriesAsync(before, limit, cancellationToken);

    public Task<PendingApproval> CreateApprovalAsync(PendingApproval approval, CancellationToken cancellationToken) =>
        Approvals.CreateApprovalAsync(approval, cancellationToken);

    public Task<PendingApproval?> GetApprovalAsync(string approvalId, CancellationToken cancellationToken) =>
        Approvals.GetApprovalAsync(approvalId, cancellationToken);

    public Task SetApprovalMessageAsync(string approvalId, string channelId, string messageTs, CancellationToken cancellationToken) =>
        Approvals.SetApprovalMessageAsync(approvalId, channelId, messageTs, cancellationToken);

    public Task<ApprovalDecision> TryDecideApprovalAsync(
        string approvalId, ApprovalState to, string decidedBy, DateTimeOffset at, string? jobId, CancellationToken cancellationToken) =>
        Approvals.TryDecideApprovalAsync(approvalId, to, decidedBy, at, jobId, cancellationToken);

    public Task MarkApprovalSettledAsync(string approvalId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Approvals.MarkApprovalSettledAsync(approvalId, at, cancellationToken);

    public Task<IReadOnlyList<PendingApproval>> ListExpiredApprovalsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Approvals.ListExpiredApprovalsAsync(now, limit, cancellationToken);

    public Task<IReadOnlyList<PendingApproval>> ListUnsettledApprovalsAsync(DateTimeOffset decidedBefore, int limit, CancellationToken cancellationToken) =>
        Approvals.ListUnsettledApprovalsAsync(decidedBefore, limit, cancellationToken);

    public Task<int> DeleteSettledApprovalsAsync(DateTimeOffset decidedBefore, int limit, CancellationToken cancellationToken) =>
        Approvals.DeleteSettledApprovalsAsync(decidedBefore, limit, cancellationToken);
}
