using Npgsql;
using NpgsqlTypes;
using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The PostgreSQL store's thread cursors and the leases that let one replica at a time keep a job's thread.</summary>
internal sealed class PostgresThreadStore(PostgresStoreDatabase database) : IThreadStore
{
    private readonly PostgresStoreDatabase _database = database;

    public async Task<JobThread?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            SELECT {JobRows.ThreadColumns}
            FROM {_database.Schema}.job_threads WHERE job_id = @id AND channel_id IS NOT NULL
            """);
        command.Parameters.Add(Text("id", jobId));
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
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            INSERT INTO {_database.Schema}.job_threads (
                {JobRows.ThreadColumns})
            VALUES (@id, @channel_id, @message_ts, @rendered_version, @posted_state, @posted_log_line, @final_posted, @pending_post)
            ON CONFLICT (job_id) DO UPDATE SET
                channel_id = excluded.channel_id,
                message_ts = excluded.message_ts,
                rendered_version = excluded.rendered_version,
                posted_state = excluded.posted_state,
                posted_log_line = excluded.posted_log_line,
                final_posted = excluded.final_posted,
                pending_post = excluded.pending_post
            """);
        command.Parameters.Add(Text("id", thread.JobId));
        command.Parameters.Add(Text("channel_id", thread.ChannelId));
        command.Parameters.Add(Text("message_ts", thread.MessageTs));
        command.Parameters.Add(new NpgsqlParameter("rendered_version", NpgsqlDbType.Bigint) { Value = thread.RenderedVersion });
        command.Parameters.Add(Text("posted_state", thread.PostedState));
        command.Parameters.Add(new NpgsqlParameter("posted_log_line", NpgsqlDbType.Bigint) { Value = thread.PostedLogLine });
        command.Parameters.Add(new NpgsqlParameter("final_posted", NpgsqlDbType.Boolean) { Value = thread.FinalPosted });
        command.Parameters.Add(Text("pending_post", JobRows.PendingPost(thread)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryLeaseAsync(
        string jobId, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            INSERT INTO {_database.Schema}.job_threads AS thread (job_id, lease_owner, lease_until)
            VALUES (@id, @owner, @until)
            ON CONFLICT (job_id) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
            WHERE thread.lease_owner IS NULL OR thread.lease_owner = excluded.lease_owner OR thread.lease_until <= @now
            """);
        command.Parameters.Add(Text("id", jobId));
        command.Parameters.Add(Text("owner", owner));
        command.Parameters.Add(Instant("now", StorageTime.Normalize(now)));
        command.Parameters.Add(Instant("until", StorageTime.Normalize(until)));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task ReleaseAsync(string jobId, string owner, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            UPDATE {_database.Schema}.job_threads SET lease_owner = NULL, lease_until = NULL
            WHERE job_id = @id AND lease_owner = @owner
            """);
        command.Parameters.Add(Text("id", jobId));
        command.Parameters.Add(Text("owner", owner));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Jobs with a saved thread cursor whose final reply has not gone out.</summary>
    public async Task<IReadOnlyList<string>> ListOpenAsync(CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            SELECT job_id FROM {_database.Schema}.job_threads
            WHERE channel_id IS NOT NULL AND NOT final_posted ORDER BY job_id
            """);
        var open = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            open.Add(reader.GetString(0));
        }

        return open;
    }
}
