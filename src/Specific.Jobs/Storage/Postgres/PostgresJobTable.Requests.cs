using Specific.Jobs.Domain;
using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The PostgreSQL store's durable requests: a person's cancel, and the mark that a Kubernetes Job is being created.</summary>
internal sealed partial class PostgresJobTable
{
    public async Task<JobRecord?> RequestCancelAsync(
        string jobId, string requestedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestedBy);
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            UPDATE {_database.Schema}.jobs SET
                cancel_requested_at = @at,
                cancel_requested_by = @by,
                version = version + 1,
                updated_at = clock_timestamp()
            WHERE id = @id AND cancel_requested_at IS NULL AND state IN ('pending', 'queued', 'running')
            RETURNING {JobColumns}, pg_notify(@channel, id || ':' || version)
            """);
        command.Parameters.Add(Text("id", jobId));
        command.Parameters.Add(Text("by", requestedBy));
        command.Parameters.Add(Instant("at", StorageTime.Normalize(at)));
        command.Parameters.Add(Text("channel", _database.Channel));
        var recorded = await ReadJobsAsync(command, cancellationToken);
        return recorded.Count == 1 ? recorded[0] : await GetAsync(jobId, cancellationToken);
    }

    public async Task<bool> TryMarkCreateRequestedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        // One UPDATE decides: of two racing attempts, the second waits on the row lock and then finds the mark set.
        await using var command = _database.DataSource.CreateCommand(
            $"UPDATE {_database.Schema}.jobs SET create_requested_at = @at WHERE id = @id AND create_requested_at IS NULL");
        command.Parameters.Add(Text("id", jobId));
        command.Parameters.Add(Instant("at", StorageTime.Normalize(at)));
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            return true;
        }

        return await GetAsync(jobId, cancellationToken) is null ? throw new JobNotFoundException(jobId) : false;
    }

    public async Task ClearCreateRequestedAsync(string jobId, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"UPDATE {_database.Schema}.jobs SET create_requested_at = NULL WHERE id = @id");
        command.Parameters.Add(Text("id", jobId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
