namespace Specific.JobsBot.Approvals;

/// <summary>Approvals:SweepInterval and Approvals:SettleAfter, the approval sweep's pace.</summary>
public sealed class ApprovalSweepOptions
{
    public const string Section = "Approvals";

    /// <summary>How often expired requests are expired and unfinished decisions finished.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a decision may be in hand (its job being started) before the sweep finishes it instead.</summary>
    public TimeSpan SettleAfter { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Expires requests nobody decided in time, and finishes decisions a crash interrupted (an approval whose job was not
/// yet recorded or started, a message not yet updated). Every step is a compare-and-set or finds its work done, so
/// replicas and restarts may sweep together; the store holds everything, so a restart loses no request.
/// </summary>
public sealed partial class ApprovalSweep(
    IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<ApprovalSweepOptions> options,
    Microsoft.Extensions.Options.IOptions<Jobs.Storage.RetentionOptions> retention, TimeProvider clock, ILogger<ApprovalSweep> logger)
    : BackgroundService
{
    /// <summary>How many requests one pass handles of each kind.</summary>
    public const int Batch = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first pass, at start-up, finishes every unfinished decision: none of them is in this process's hands.
        var settleBefore = TimeSpan.Zero;
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        do
        {
            try
            {
                await SweepAsync(settleBefore, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(ex);
            }

            settleBefore = options.Value.SettleAfter;
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: expire what ran out, then finish decisions older than <paramref name="settleBefore"/>.</summary>
    public async Task SweepAsync(TimeSpan settleBefore, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<Jobs.Storage.IApprovalStore>();
        var decider = scope.ServiceProvider.GetRequiredService<ApprovalDecider>();
        var settler = scope.ServiceProvider.GetRequiredService<ApprovalSettler>();
        var now = clock.GetUtcNow();
        foreach (var expired in await store.ListExpiredApprovalsAsync(now, Batch, cancellationToken))
        {
            if (await decider.ExpireAsync(expired, cancellationToken))
            {
                LogExpired(expired.Id);
            }
        }

        foreach (var unsettled in await store.ListUnsettledApprovalsAsync(now - settleBefore, Batch, cancellationToken))
        {
            LogSettling(unsettled.Id, unsettled.State.ToString());
            await settler.SettleAsync(unsettled, cancellationToken);
        }

        // Settled requests go with the audit trail that tells their story (Retention:AuditDays).
        await store.DeleteSettledApprovalsAsync(now - TimeSpan.FromDays(retention.Value.AuditDays), Batch, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The approval sweep failed; it tries again on its next tick")]
    private partial void LogSweepFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Approval request {ApprovalId} expired")]
    private partial void LogExpired(string approvalId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Finishing the decision on approval request {ApprovalId} ({State})")]
    private partial void LogSettling(string approvalId, string state);
}
