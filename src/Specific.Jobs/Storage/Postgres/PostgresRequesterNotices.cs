using Npgsql;
using NpgsqlTypes;
using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The PostgreSQL store's requester notices: one row per person who chose, one per job whose message was claimed.</summary>
internal sealed class PostgresRequesterNotices(PostgresStoreDatabase database) : IRequesterNotices
{
    private readonly PostgresStoreDatabase _database = database;

    public async Task<bool?> GetDmOnJobEndAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand(
            $"SELECT dm_on_job_end FROM {_database.Schema}.notify_preferences WHERE user_id = @user");
        command.Parameters.Add(Text("user", userId));
        return await command.ExecuteScalarAsync(cancellationToken) is bool on ? on : null;
    }

    public async Task SetDmOnJobEndAsync(string userId, bool on, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            INSERT INTO {_database.Schema}.notify_preferences (user_id, dm_on_job_end, updated_at) VALUES (@user, @on, @at)
            ON CONFLICT (user_id) DO UPDATE SET dm_on_job_end = excluded.dm_on_job_end, updated_at = excluded.updated_at
            """);
        command.Parameters.Add(Text("user", userId));
        command.Parameters.Add(new NpgsqlParameter("on", NpgsqlDbType.Boolean) { Value = on });
        command.Parameters.Add(Instant("at", StorageTime.Normalize(at)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryClaimJobEndDmAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand(
            $"INSERT INTO {_database.Schema}.job_end_dms (job_id, claimed_at) VALUES (@job, @at) ON CONFLICT (job_id) DO NOTHING");
        command.Parameters.Add(Text("job", jobId));
        command.Parameters.Add(Instant("at", StorageTime.Normalize(at)));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
