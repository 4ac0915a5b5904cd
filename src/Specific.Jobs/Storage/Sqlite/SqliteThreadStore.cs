using static Specific.Jobs.Storage.SqliteStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The SQLite store's thread cursors and the leases that let one process at a time keep a job's thread.</summary>
internal sealed class SqliteThreadStore(SqliteStoreDatabase store) : IThreadStore
{
    private readonly SqliteStoreDatabase _store = store;

    public async Task<JobThread?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {JobRows.ThreadColumns}
            FROM job_threads WHERE job_id = $id AND channel_id IS NOT NULL
            """;
        Add(command, "$id", jobId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return JobRows.ReadThread(reader);
    }

    public async Task SaveAsync(JobThread thread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thread);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO job_threads (
                {JobRows.ThreadColumns})
            VALUES ($id, $channel_id, $message_ts, $rendered_version, $posted_state, $posted_log_line, $final_posted, $pending_post)
            ON CONFLICT (job_id) DO UPDATE SET
                channel_id = excluded.channel_id,
                message_ts = excluded.message_ts,
                rendered_version = excluded.rendered_version,
                posted_state = excluded.posted_state,
                posted_log_line = excluded.posted_log_line,
                final_posted = excluded.final_posted,
                pending_post = excluded.pending_post
            """;
        Add(command, "$id", thread.JobId);
        Add(command, "$channel_id", thread.ChannelId);
        Add(command, "$message_ts", thread.MessageTs);
        Add(command, "$rendered_version", thread.RenderedVersion);
        Add(command, "$posted_state", thread.PostedState);
        Add(command, "$posted_log_line", thread.PostedLogLine);
        Add(command, "$final_posted", thread.FinalPosted);
        Add(command, "$pending_post", JobRows.PendingPost(thread));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryLeaseAsync(
        string jobId, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO job_threads AS thread (job_id, lease_owner, lease_until)
            VALUES ($id, $owner, $until)
            ON CONFLICT (job_id) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
            WHERE thread.lease_owner IS NULL OR thread.lease_owner = excluded.lease_owner OR thread.lease_until <= $now
            """;
        Add(command, "$id", jobId);
        Add(command, "$owner", owner);
        Add(command, "$now", StorageTime.ToUnixMicroseconds(now));
        Add(command, "$until", StorageTime.ToUnixMicroseconds(until));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task ReleaseAsync(string jobId, string owner, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE job_threads SET lease_owner = NULL, lease_until = NULL WHERE job_id = $id AND lease_owner = $owner
            """;
        Add(command, "$id", jobId);
        Add(command, "$owner", owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Jobs with a saved thread cursor whose final reply has not gone out.</summary>
    public async Task<IReadOnlyList<string>> ListOpenAsync(CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT job_id FROM job_threads WHERE channel_id IS NOT NULL AND final_posted = 0 ORDER BY job_id";
        var open = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            open.Add(reader.GetString(0));
        }

        return open;
    }
}
