using Npgsql;
using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The PostgreSQL store's heartbeat: one row per probing replica, upserted, so readiness knows writes commit.</summary>
public sealed partial class PostgresJobStore
{
    /// <summary>
    /// Upserts <paramref name="probe"/>'s heartbeat and forgets those older than <paramref name="forgetBefore"/>. Throws
    /// what the server answered (read-only, disk full, …); a server that cannot be reached throws as any query would.
    /// </summary>
    internal async Task WriteHeartbeatAsync(string probe, DateTimeOffset now, DateTimeOffset forgetBefore, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            INSERT INTO {_database.Schema}.store_heartbeat (probe, at) VALUES (@probe, @at)
                ON CONFLICT (probe) DO UPDATE SET at = excluded.at;
            DELETE FROM {_database.Schema}.store_heartbeat WHERE at < @forget;
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("probe", probe));
        command.Parameters.Add(Instant("at", StorageTime.Normalize(now)));
        command.Parameters.Add(Instant("forget", StorageTime.Normalize(forgetBefore)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
