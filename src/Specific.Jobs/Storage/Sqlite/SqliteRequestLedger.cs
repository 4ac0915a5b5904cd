using Microsoft.Data.Sqlite;
using static Specific.Jobs.Storage.SqliteStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The SQLite store's request ledger: each request key is recorded once, and forgotten after the retention.</summary>
internal sealed class SqliteRequestLedger(SqliteStoreDatabase store, SqliteJobStoreOptions options) : IRequestLedger
{
    private readonly SqliteStoreDatabase _store = store;
    private readonly SqliteJobStoreOptions _options = options;
    private readonly PruneSchedule _requestKeyPrune = new(TimeSpan.FromMinutes(10));

    public async Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await PruneRequestKeysAsync(connection, at, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO request_keys (key, seen_at) VALUES ($key, $at) ON CONFLICT (key) DO NOTHING";
        Add(command, "$key", key);
        Add(command, "$at", StorageTime.ToUnixMicroseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task PruneRequestKeysAsync(SqliteConnection connection, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!_requestKeyPrune.IsDue(at))
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM request_keys WHERE seen_at < $cutoff";
        Add(command, "$cutoff", StorageTime.ToUnixMicroseconds(at - _options.RequestKeyRetention));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
