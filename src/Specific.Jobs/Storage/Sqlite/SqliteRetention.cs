using Microsoft.Data.Sqlite;
using static Specific.Jobs.Storage.SqliteStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The SQLite store's side of retention: bounded deletes of ended jobs, their threads and old audit entries.</summary>
internal sealed class SqliteRetention(SqliteStoreDatabase store) : IStoreRetention
{
    private const string Ended = JobRules.EndedSql;

    private readonly SqliteStoreDatabase _store = store;

    public async Task<IReadOnlyList<string>> ListLogsToPruneAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT id FROM jobs WHERE {Ended} AND logs_pruned_at IS NULL AND finished_at < $cutoff
            ORDER BY finished_at, id LIMIT $limit
            """;
        Add(command, "$cutoff", StorageTime.ToUnixMicroseconds(endedBefore));
        Add(command, "$limit", Math.Max(1, limit));
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async Task MarkLogsPrunedAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Not a change a watcher needs: nothing shown about the job moves, so neither version nor change_seq does.
        command.CommandText = $"UPDATE jobs SET logs_pruned_at = $at WHERE id = $id AND {Ended} AND logs_pruned_at IS NULL";
        Add(command, "$id", jobId);
        Add(command, "$at", StorageTime.ToUnixMicroseconds(at));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> DeleteEndedJobsAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Immediate: the jobs chosen are the jobs deleted, and a job never goes without its thread record or the other way.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var ids = new List<string>();
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = $"""
                SELECT id FROM jobs WHERE {Ended} AND logs_pruned_at IS NOT NULL AND finished_at < $cutoff
                ORDER BY finished_at, id LIMIT $limit
                """;
            Add(select, "$cutoff", StorageTime.ToUnixMicroseconds(endedBefore));
            Add(select, "$limit", Math.Max(1, limit));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
            }
        }

        if (ids.Count == 0)
        {
            return 0;
        }

        var json = System.Text.Json.JsonSerializer.Serialize(ids);
        await DeleteByIdsAsync(connection, transaction, "DELETE FROM job_threads WHERE job_id IN (SELECT value FROM json_each($ids))", json, cancellationToken);
        await DeleteByIdsAsync(connection, transaction, "DELETE FROM job_end_dms WHERE job_id IN (SELECT value FROM json_each($ids))", json, cancellationToken);
        var deleted = await DeleteByIdsAsync(connection, transaction, "DELETE FROM jobs WHERE id IN (SELECT value FROM json_each($ids))", json, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task<int> DeleteAuditEntriesAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM audit_entries WHERE id IN (SELECT id FROM audit_entries WHERE at < $cutoff ORDER BY at, id LIMIT $limit)";
        Add(command, "$cutoff", StorageTime.ToUnixMicroseconds(before));
        Add(command, "$limit", Math.Max(1, limit));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        return await _store.Database.OpenAsync(cancellationToken);
    }

    private static async Task<int> DeleteByIdsAsync(
        SqliteConnection connection, SqliteTransaction transaction, string sql, string idsJson, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        Add(command, "$ids", idsJson);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
