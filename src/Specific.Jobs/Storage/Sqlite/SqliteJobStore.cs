using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>Settings of <see cref="SqliteJobStore"/>; the defaults suit the embedded default.</summary>
public sealed record SqliteJobStoreOptions
{
    /// <summary>How long a request key is remembered; a Slack retry comes within minutes.</summary>
    public TimeSpan RequestKeyRetention { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How often a watcher looks for writes made by another process on the same file.</summary>
    public TimeSpan WatchPollInterval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The job store of the embedded default on one SQLite file, with the same semantics as <see cref="PostgresJobStore"/>:
/// compare-and-set transitions, thread cursors and leases, the request ledger, and change notices.
/// </summary>
public sealed partial class SqliteJobStore : IJobStorageBackend, IDisposable
{
    private const string JobColumns = JobRows.JobColumns;

    // Taken under the write lock that every write holds, so change numbers follow commit order.
    private const string NextChange = "(SELECT COALESCE(MAX(change_seq), 0) + 1 FROM jobs)";

    // How many changes a watcher reads at once.
    private const int ChangePage = 500;


    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly SqliteJobStoreOptions _options;
    private readonly AsyncOnce _migrations;
    private readonly ConcurrentDictionary<ChangeSignal, byte> _watchers = new();
    private readonly PruneSchedule _requestKeyPrune = new(TimeSpan.FromMinutes(10));

    public SqliteJobStore(string path, TimeProvider timeProvider, SqliteJobStoreOptions? options = null)
    {
        _database = new SqliteDatabase(path);
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? new SqliteJobStoreOptions();
        _migrations = new AsyncOnce(ct => _database.MigrateAsync(SqliteMigrations.All, ct));
    }

    /// <summary>The full path of the database file.</summary>
    public string Path => _database.Path;

    public Task InitializeAsync(CancellationToken cancellationToken) => _migrations.RunAsync(cancellationToken);

    public async Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        var createdAt = StorageTime.Normalize(_time.GetUtcNow());
        // Run alone: the check and the insert share one write lock (BEGIN IMMEDIATE), so two starts cannot both pass.
        await using var transaction = request.RunAlone ? connection.BeginTransaction(deferred: false) : null;
        if (transaction is not null && await FirstUnfinishedAsync(connection, transaction, request, cancellationToken) is { } running)
        {
            throw new ServiceBusyException(running);
        }

        for (var attempt = 1; ; attempt++)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                INSERT INTO jobs (
                    id, service, environment, command, name, origin_client, origin_team_id, origin_channel_id,
                    origin_user_id, origin_user_name, rerun_of, state, version, created_at, change_seq)
                VALUES (
                    $id, $service, $environment, $command, $name, $origin_client, $origin_team_id, $origin_channel_id,
                    $origin_user_id, $origin_user_name, $rerun_of, 'pending', 1, $created_at, {NextChange})
                RETURNING {JobColumns}
                """;
            Add(command, "$id", JobIds.New());
            Add(command, "$service", request.Service);
            Add(command, "$environment", request.Environment);
            Add(command, "$command", request.Command);
            Add(command, "$name", request.Name);
            Add(command, "$origin_client", request.Origin.Client);
            Add(command, "$origin_team_id", request.Origin.TeamId);
            Add(command, "$origin_channel_id", request.Origin.ChannelId);
            Add(command, "$origin_user_id", request.Origin.UserId);
            Add(command, "$origin_user_name", request.Origin.UserName);
            Add(command, "$rerun_of", request.RerunOf);
            Add(command, "$created_at", StorageTime.ToUnixMicroseconds(createdAt));
            try
            {
                var created = (await ReadJobsAsync(command, cancellationToken))[0];
                if (transaction is not null)
                {
                    await transaction.CommitAsync(cancellationToken);
                }

                NotifyWatchers();
                return created;
            }
            catch (SqliteException e) when (e.SqliteExtendedErrorCode == 1555 && attempt < 3)
            {
                // SQLITE_CONSTRAINT_PRIMARYKEY: a random id collided with an existing one; draw another.
            }
        }
    }

    public async Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await GetAsync(connection, null, jobId, cancellationToken);
    }

    public async Task<TransitionResult> TryTransitionAsync(
        string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
    {
        JobRules.EnsureAllowed(expected, transition);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE jobs SET
                state = $to,
                version = version + 1,
                {JobRules.TimestampColumn(transition.To)} = $at,
                exit_code = COALESCE($exit_code, exit_code),
                failure_reason = COALESCE($failure_reason, failure_reason),
                change_seq = {NextChange}
            WHERE id = $id AND state = $expected
            RETURNING {JobColumns}
            """;
        Add(command, "$id", jobId);
        Add(command, "$expected", expected.ToWire());
        Add(command, "$to", transition.To.ToWire());
        Add(command, "$at", StorageTime.ToUnixMicroseconds(transition.At));
        Add(command, "$exit_code", transition.ExitCode);
        Add(command, "$failure_reason", transition.FailureReason);
        var moved = await ReadJobsAsync(command, cancellationToken);
        if (moved.Count == 1)
        {
            NotifyWatchers();
            return new TransitionResult(true, moved[0]);
        }

        return new TransitionResult(false, await GetAsync(connection, null, jobId, cancellationToken));
    }

    public async Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(details);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        // Immediate: the notes are read and rewritten under the write lock, so no concurrent note is lost.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var job = await GetAsync(connection, transaction, jobId, cancellationToken) ?? throw new JobNotFoundException(jobId);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            UPDATE jobs SET
                kubernetes_job_name = COALESCE($kubernetes_job_name, kubernetes_job_name),
                namespace = COALESCE($namespace, namespace),
                image = COALESCE($image, image),
                notes = $notes,
                version = version + 1,
                change_seq = {NextChange}
            WHERE id = $id
            RETURNING {JobColumns}
            """;
        Add(command, "$id", jobId);
        Add(command, "$kubernetes_job_name", details.KubernetesJobName);
        Add(command, "$namespace", details.Namespace);
        Add(command, "$image", details.Image);
        Add(command, "$notes", JsonSerializer.Serialize(job.Notes.Concat(JobRules.NewNotes(job.Notes, details.Notes)).ToArray()));
        var updated = (await ReadJobsAsync(command, cancellationToken))[0];
        await transaction.CommitAsync(cancellationToken);
        NotifyWatchers();
        return updated;
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var filters = new List<string>();
        if (query.Service is not null)
        {
            filters.Add("service = $service");
            Add(command, "$service", query.Service);
        }

        if (query.Environment is not null)
        {
            filters.Add("environment = $environment");
            Add(command, "$environment", query.Environment);
        }

        if (query.ChannelId is not null)
        {
            filters.Add("origin_channel_id = $channel_id");
            Add(command, "$channel_id", query.ChannelId);
        }

        if (query.UnfinishedOnly)
        {
            filters.Add("state IN ('pending', 'queued', 'running')");
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        command.CommandText = $"SELECT {JobColumns} FROM jobs {where} ORDER BY created_at DESC, id DESC LIMIT $limit";
        Add(command, "$limit", JobRules.ClampLimit(query.Limit));
        return await ReadJobsAsync(command, cancellationToken);
    }

    /// <summary>
    /// Notices for every write committed after the watch began: woken at once by writes through this instance,
    /// and every <see cref="SqliteJobStoreOptions.WatchPollInterval"/> for writes by other processes. Writes are
    /// read back in commit order, so none is lost; a job written twice between reads is reported once.
    /// </summary>
    public async IAsyncEnumerable<JobChanged> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        using var signal = new ChangeSignal();
        _watchers.TryAdd(signal, 0);
        try
        {
            var seen = await HighestChangeAsync(cancellationToken);
            while (true)
            {
                var changes = await ChangesAfterAsync(seen, cancellationToken);
                foreach (var (change, sequence) in changes)
                {
                    seen = sequence;
                    yield return change;
                }

                if (changes.Count < ChangePage)
                {
                    await signal.WaitAsync(_options.WatchPollInterval, cancellationToken);
                }
            }
        }
        finally
        {
            _watchers.TryRemove(signal, out _);
        }
    }

    async Task<JobThread?> IThreadStore.GetAsync(string jobId, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
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
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
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
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
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
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
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
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
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

    public async Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await PruneRequestKeysAsync(connection, at, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO request_keys (key, seen_at) VALUES ($key, $at) ON CONFLICT (key) DO NOTHING";
        Add(command, "$key", key);
        Add(command, "$at", StorageTime.ToUnixMicroseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audit_entries (
                at, action, outcome, environment, service, job_id, team_id, user_id, channel_id, command_text, rule, detail)
            VALUES ($at, $action, $outcome, $environment, $service, $job_id, $team_id, $user_id, $channel_id, $command_text, $rule, $detail)
            RETURNING id
            """;
        var at = StorageTime.Normalize(entry.At);
        Add(command, "$at", StorageTime.ToUnixMicroseconds(at));
        Add(command, "$action", entry.Action.ToWire());
        Add(command, "$outcome", entry.Outcome.ToWire());
        Add(command, "$environment", entry.Environment);
        Add(command, "$service", entry.Service);
        Add(command, "$job_id", entry.JobId);
        Add(command, "$team_id", entry.TeamId);
        Add(command, "$user_id", entry.UserId);
        Add(command, "$channel_id", entry.ChannelId);
        Add(command, "$command_text", entry.CommandText);
        Add(command, "$rule", entry.Rule);
        Add(command, "$detail", entry.Detail);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return entry with { Id = id, At = at };
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await InitializeAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var filters = new List<string>();
        if (query.Environment is not null)
        {
            filters.Add("environment = $environment");
            Add(command, "$environment", query.Environment);
        }

        if (query.Service is not null)
        {
            filters.Add("service = $service");
            Add(command, "$service", query.Service);
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        command.CommandText = $"SELECT {JobRows.AuditColumns} FROM audit_entries {where} ORDER BY at DESC, id DESC LIMIT $limit";
        Add(command, "$limit", JobRules.ClampLimit(query.Limit));
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(JobRows.ReadAudit(reader, static (row, ordinal) => StorageTime.FromUnixMicroseconds(row.GetInt64(ordinal))));
        }

        return entries;
    }

    /// <summary>Closes this file's pooled connections.</summary>
    public void Dispose() => _database.ClearPool();

    private async Task<long> HighestChangeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(change_seq), 0) FROM jobs";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<List<(JobChanged Change, long Sequence)>> ChangesAfterAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, version, change_seq FROM jobs WHERE change_seq > $after ORDER BY change_seq LIMIT {ChangePage}";
        Add(command, "$after", sequence);
        var changes = new List<(JobChanged, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add((new JobChanged(reader.GetString(0), reader.GetInt64(1)), reader.GetInt64(2)));
        }

        return changes;
    }

    private void NotifyWatchers()
    {
        foreach (var watcher in _watchers.Keys)
        {
            watcher.Set();
        }
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

    /// <summary>The oldest pending, queued or running job of the request's service and environment, if any.</summary>
    private static async Task<JobRecord?> FirstUnfinishedAsync(
        SqliteConnection connection, SqliteTransaction transaction, JobRequest request, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT {JobColumns} FROM jobs
            WHERE environment = $environment AND service = $service AND state IN ('pending', 'queued', 'running')
            ORDER BY created_at, id LIMIT 1
            """;
        Add(command, "$environment", request.Environment);
        Add(command, "$service", request.Service);
        var jobs = await ReadJobsAsync(command, cancellationToken);
        return jobs.Count == 0 ? null : jobs[0];
    }

    private static async Task<JobRecord?> GetAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string jobId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {JobColumns} FROM jobs WHERE id = $id";
        Add(command, "$id", jobId);
        var jobs = await ReadJobsAsync(command, cancellationToken);
        return jobs.Count == 0 ? null : jobs[0];
    }

    private static async Task<List<JobRecord>> ReadJobsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<JobRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(ReadJob(reader));
        }

        return jobs;
    }

    private static JobRecord ReadJob(SqliteDataReader reader) => JobRows.ReadJob(
        reader,
        static (row, ordinal) => StorageTime.FromUnixMicroseconds(row.GetInt64(ordinal)),
        static (row, ordinal) => JsonSerializer.Deserialize<string[]>(row.GetString(ordinal)) ?? []);

    private static void Add(SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
}
