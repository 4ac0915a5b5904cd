using static Specific.Jobs.Storage.SqliteStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The SQLite store's requester notices: one row per person who chose, one per job whose message was claimed.</summary>
internal sealed class SqliteRequesterNotices(SqliteStoreDatabase store) : IRequesterNotices
{
    private readonly SqliteStoreDatabase _store = store;

    public async Task<bool?> GetDmOnJobEndAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT dm_on_job_end FROM notify_preferences WHERE user_id = $user";
        Add(command, "$user", userId);
        return await command.ExecuteScalarAsync(cancellationToken) is long on ? on != 0 : null;
    }

    public async Task SetDmOnJobEndAsync(string userId, bool on, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO notify_preferences (user_id, dm_on_job_end, updated_at) VALUES ($user, $on, $at)
            ON CONFLICT (user_id) DO UPDATE SET dm_on_job_end = excluded.dm_on_job_end, updated_at = excluded.updated_at
            """;
        Add(command, "$user", userId);
        Add(command, "$on", on ? 1 : 0);
        Add(command, "$at", StorageTime.ToUnixMicroseconds(at));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryClaimJobEndDmAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO job_end_dms (job_id, claimed_at) VALUES ($job, $at) ON CONFLICT (job_id) DO NOTHING";
        Add(command, "$job", jobId);
        Add(command, "$at", StorageTime.ToUnixMicroseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
