using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The PostgreSQL store's request ledger: each request key is recorded once, and forgotten after the retention.</summary>
internal sealed class PostgresRequestLedger(PostgresStoreDatabase database, PostgresJobStoreOptions options) : IRequestLedger
{
    private readonly PostgresStoreDatabase _database = database;
    private readonly PostgresJobStoreOptions _options = options;
    private readonly PruneSchedule _requestKeyPrune = new(TimeSpan.FromMinutes(10));

    public async Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await _database.InitializeAsync(cancellationToken);
        await PruneRequestKeysAsync(at, cancellationToken);
        await using var command = _database.DataSource.CreateCommand(
            $"INSERT INTO {_database.Schema}.request_keys (key, seen_at) VALUES (@key, @at) ON CONFLICT (key) DO NOTHING");
        command.Parameters.Add(Text("key", key));
        command.Parameters.Add(Instant("at", StorageTime.Normalize(at)));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task PruneRequestKeysAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!_requestKeyPrune.IsDue(at))
        {
            return;
        }

        await using var command = _database.DataSource.CreateCommand($"DELETE FROM {_database.Schema}.request_keys WHERE seen_at < @cutoff");
        command.Parameters.Add(Instant("cutoff", StorageTime.Normalize(at - _options.RequestKeyRetention)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
