using System.Threading.Channels;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Guardrails;

/// <summary>One guarded attempt as the audit trail keeps it: who tried what, where, how it ended and under which rule.</summary>
public sealed record GuardedAttempt
{
    public required AuditAction Action { get; init; }

    public required AuditOutcome Outcome { get; init; }

    public required string Environment { get; init; }

    /// <summary>The person, and the channel and team they acted in.</summary>
    public required Actor Actor { get; init; }

    /// <summary>The service it concerns; none for an audit read of a whole environment.</summary>
    public string? Service { get; init; }

    /// <summary>What the person typed or clicked, as the trail shows it.</summary>
    public string? CommandText { get; init; }

    /// <summary>The rule that allowed or refused it.</summary>
    public string? Rule { get; init; }

    /// <summary>What the person was told, or what happened.</summary>
    public string? Detail { get; init; }

    /// <summary>The job it concerns, once there is one.</summary>
    public string? JobId { get; init; }
}

/// <summary>
/// Records every guarded attempt: at once as a structured log event (named properties: Action, Outcome, Environment,
/// Service, JobId, TeamId, UserId, ChannelId, Rule, CommandText), and in the job store's audit trail just after, by
/// <see cref="AuditWriter"/>, so that a Slack answer never waits on the database write.
/// </summary>
public sealed partial class AuditTrail(TimeProvider clock, ILogger<AuditTrail> logger)
{
    /// <summary>How many entries may wait for the store; beyond that the log event is the only record (and says so).</summary>
    public const int Capacity = 4096;

    private readonly Channel<AuditEntry> _pending = Channel.CreateBounded<AuditEntry>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    internal ChannelReader<AuditEntry> Pending => _pending.Reader;

    /// <summary>Records one attempt; never throws and never waits.</summary>
    public void Record(GuardedAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var actor = attempt.Actor;
        var entry = new AuditEntry(
            0, clock.GetUtcNow(), attempt.Action, attempt.Outcome, attempt.Environment, attempt.Service, attempt.JobId, actor.TeamId,
            actor.UserId, actor.ChannelId, attempt.CommandText, attempt.Rule, attempt.Detail);
        LogAttempt(
            attempt.Action.ToWire(), attempt.Outcome.ToWire(), attempt.Environment, attempt.Service, attempt.JobId, actor.TeamId,
            actor.UserId, actor.ChannelId, attempt.Rule, attempt.CommandText);
        if (!_pending.Writer.TryWrite(entry))
        {
            LogDropped(attempt.Action.ToWire(), attempt.Outcome.ToWire(), actor.UserId);
        }
    }

    internal void Complete() => _pending.Writer.TryComplete();

    [LoggerMessage(
        EventId = 6000, EventName = "GuardedAttempt", Level = LogLevel.Information,
        Message = "Audit: {Action} {Outcome} in {Environment} on {Service} (job {JobId}) by {UserId} in {ChannelId} of {TeamId}; rule {Rule}; command {CommandText}")]
    private partial void LogAttempt(
        string action, string outcome, string environment, string? service, string? jobId, string? teamId, string? userId,
        string? channelId, string? rule, string? commandText);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "Audit entry for {Action} {Outcome} by {UserId} was not stored: the queue to the store is full")]
    private partial void LogDropped(string action, string outcome, string userId);
}

/// <summary>Writes the audit trail's entries to the store in order; on shutdown, writes what is left.</summary>
public sealed partial class AuditWriter(AuditTrail trail, IAuditLog store, ILogger<AuditWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var entry in trail.Pending.ReadAllAsync(stoppingToken))
            {
                await WriteAsync(entry, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write what is already queued, with a bound, below.
        }

        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (trail.Pending.TryRead(out var left) && !drain.IsCancellationRequested)
        {
            await WriteAsync(left, drain.Token);
        }
    }

    private async Task WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        // A database blip must not lose the entry at once: three tries, a second apart.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendAsync(entry, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < 3)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogWriteFailed(ex, entry.Action.ToWire(), entry.Outcome.ToWire(), entry.UserId);
                return;
            }
        }
    }

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Could not store the audit entry for {Action} {Outcome} by {UserId}; the log event remains")]
    private partial void LogWriteFailed(Exception exception, string action, string outcome, string? userId);
}
