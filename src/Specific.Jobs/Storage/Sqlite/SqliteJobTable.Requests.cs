using Specific.Jobs.Domain;
using static Specific.Jobs.Storage.SqliteStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The SQLite store's durable requests: a person's cancel, and the mark that a Kubernetes Job is being created.</summary>
internal sealed partial class SqliteJobTable
{
    public async Task<JobRecord?> RequestCancelAsync(
        string jobId, string requestedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestedBy);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE jobs SET
                cancel_requested_at = $at,
                cancel_requested_by = $by,
                version = version + 1,
                change_seq = {NextChange}
            WHERE id = $id AND cancel_requested_at IS NULL AND state IN ('pending', 'queued', 'running')
            RETURNING {JobColumns}
            """;
        Add(command, "$id", jobId);
        Add(command, "$by", requestedBy);
        Add(command, "$at", StorageTime.ToUnixMicroseconds(StorageTime.Normalize(at)));
        var recorded = await ReadJobsAsync(command, cancellationToken);
        if (recorded.Count == 1)
        {
            NotifyWatchers();
            return recorded[0];
        }

        return await GetAsync(connection, null, jobId, cancellationToken);
    }

    public async Task<bool> TryMarkCreateRequestedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE jobs SET create_requested_at = $at WHERE id = $id AND create_requested_at IS NULL";
        Add(command, "$id", jobId);
        Add(command, "$at", StorageTime.ToUnixMicroseconds(StorageTime.Normalize(at)));
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            return true;
        }

        return await GetAsync(connection, null, jobId, cancellationToken) is null ? throw new JobNotFoundException(jobId) : false;
    }

    public async Task ClearCreateRequestedAsync(string jobId, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE jobs SET create_requested_at = NULL WHERE id = $id";
        Add(command, "$id", jobId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
