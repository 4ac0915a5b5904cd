using NpgsqlTypes;
using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>
/// The PostgreSQL store's side of retention: bounded deletes of ended jobs, their threads and old audit entries. Rows
/// another replica is deleting are skipped (SKIP LOCKED), so two pruners never wait on each other.
/// </summary>
internal sealed class PostgresRetention(PostgresStoreDatabase database) : IStoreRetention
{
    private const string Ended = JobRules.EndedSql;

    private readonly PostgresStoreDatabase _database = database;

    public async Task<IReadOnlyList<string>> ListLogsToPruneAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            SELECT id FROM {_database.Schema}.jobs WHERE {Ended} AND logs_pruned_at IS NULL AND finished_at < @cutoff
            ORDER BY finished_at, id LIMIT @limit
            """);
        command.Parameters.Add(Instant("cutoff", StorageTime.Normalize(endedBefore)));
        command.Parameters.Add(Limit(limit));
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
        await _database.InitializeAsync(cancellationToken);
        // Not a change a watcher needs: nothing shown about the job moves, so neither version nor updated_at does.
        await using var command = _database.DataSource.CreateCommand(
            $"UPDATE {_database.Schema}.jobs SET logs_pruned_at = @at WHERE id = @id AND {Ended} AND logs_pruned_at IS NULL");
        command.Parameters.Add(Text("id", jobId));
        command.Parameters.Add(Instant("at", StorageTime.Normalize(at)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> DeleteEndedJobsAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        // One statement, so one transaction: a job, its thread record and its end-of-job DM claim go together or not at all.
        await using var command = _database.DataSource.CreateCommand($"""
            WITH doomed AS (
                SELECT id FROM {_database.Schema}.jobs
                WHERE {Ended} AND logs_pruned_at IS NOT NULL AND finished_at < @cutoff
                ORDER BY finished_at, id LIMIT @limit
                FOR UPDATE SKIP LOCKED),
            threads AS (DELETE FROM {_database.Schema}.job_threads WHERE job_id IN (SELECT id FROM doomed)),
            end_dms AS (DELETE FROM {_database.Schema}.job_end_dms WHERE job_id IN (SELECT id FROM doomed))
            DELETE FROM {_database.Schema}.jobs WHERE id IN (SELECT id FROM doomed)
            """);
        command.Parameters.Add(Instant("cutoff", StorageTime.Normalize(endedBefore)));
        command.Parameters.Add(Limit(limit));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> DeleteAuditEntriesAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            DELETE FROM {_database.Schema}.audit_entries WHERE id IN (
                SELECT id FROM {_database.Schema}.audit_entries WHERE at < @cutoff ORDER BY at, id LIMIT @limit FOR UPDATE SKIP LOCKED)
            """);
        command.Parameters.Add(Instant("cutoff", StorageTime.Normalize(before)));
        command.Parameters.Add(Limit(limit));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Npgsql.NpgsqlParameter Limit(int limit) => new("limit", NpgsqlDbType.Integer) { Value = Math.Max(1, limit) };
}
