using Npgsql;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Readiness;

/// <summary>
/// Whether PostgreSQL still commits the job store's writes: a heartbeat row per replica is upserted. A server that
/// answers but refuses (a read-only standby after a failover, default_transaction_read_only, a full disk) is named here;
/// one that cannot be reached is left to the store check's own query, which says so.
/// </summary>
public sealed class PostgresWriteProbe(PostgresJobStore store, TimeProvider time) : IStoreWriteProbe
{
    // Heartbeats of replicas that stopped are forgotten after this long.
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);

    private readonly string _probe = Environment.MachineName + "/" + Guid.NewGuid().ToString("N");

    /// <summary>Every replica writes to the same server.</summary>
    public bool SharedByReplicas => true;

    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            await store.WriteHeartbeatAsync(_probe, now, now - ForgetAfter, cancellationToken);
            return null;
        }
        catch (PostgresException refused)
        {
            return refused.SqlState switch
            {
                PostgresErrorCodes.ReadOnlySqlTransaction =>
                    $"PostgreSQL takes no writes ({refused.MessageText}): Storage__ConnectionString may point at a read-only standby; point it at the primary.",
                PostgresErrorCodes.DiskFull =>
                    $"PostgreSQL cannot write: its disk is full ({refused.MessageText}). Free space on the database server.",
                _ => $"PostgreSQL refuses the job store's writes ({refused.SqlState}: {refused.MessageText}). Check the server and Storage__ConnectionString.",
            };
        }
        catch (NpgsqlException)
        {
            // Not reachable: the store check's query reports that, naming the connection string.
            return null;
        }
    }
}
