using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Specific.Jobs.Domain;
using static Specific.Jobs.Storage.SqliteStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>
/// The SQLite store's jobs: compare-and-set transitions, details, run-alone starts, and change notices read back in
/// commit order.
/// </summary>
internal sealed partial class SqliteJobTable(SqliteStoreDatabase store, TimeProvider time, SqliteJobStoreOptions options) : IJobStore
{
    private const string JobColumns = JobRows.JobColumns;

    // Taken under the write lock that every write holds, so change numbers follow commit order.
    private const string NextChange = "(SELECT COALESCE(MAX(change_seq), 0) + 1 FROM jobs)";

    // How many changes a watcher reads at once.
    private const int ChangePage = 500;

    private readonly SqliteStoreDatabase _store = store;
    private readonly SqliteJobStoreOptions _options = options;
    private readonly ConcurrentDictionary<ChangeSignal, byte> _watchers = new();

    public async Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        var createdAt = StorageTime.Normalize(time.GetUtcNow());
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
                    origin_user_id, origin_user_name, rerun_of, timeout_seconds, state, version, created_at, change_seq, approved_by, task)
                VALUES (
                    $id, $service, $environment, $command, $name, $origin_client, $origin_team_id, $origin_channel_id,
                    $origin_user_id, $origin_user_name, $rerun_of, $timeout_seconds, 'pending', 1, $created_at, {NextChange}, $approved_by, $task)
                RETURNING {JobColumns}
                """;
            Add(command, "$id", request.JobId ?? JobIds.New());
            Add(command, "$approved_by", request.ApprovedBy);
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
            Add(command, "$timeout_seconds", JobRows.TimeoutSeconds(request));
            Add(command, "$task", request.Task);
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
            catch (SqliteException e) when (e.SqliteExtendedErrorCode == 1555 && attempt < 3 && request.JobId is null)
            {
                // SQLITE_CONSTRAINT_PRIMARYKEY: a random id collided with an existing one; draw another (a chosen id is never redrawn).
            }
        }
    }

    public async Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        return await GetAsync(connection, null, jobId, cancellationToken);
    }

    public async Task<TransitionResult> TryTransitionAsync(
        string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
    {
        JobRules.EnsureAllowed(expected, transition);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
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
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
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
        return await _store.ListAsync(
            $"SELECT {JobColumns} FROM jobs", SqlWhere.For(query, '$'), "created_at DESC, id DESC", query.Limit, ReadJob, cancellationToken);
    }

    /// <summary>
    /// Notices for every write committed after the watch began: woken at once by writes through this instance,
    /// and every <see cref="SqliteJobStoreOptions.WatchPollInterval"/> for writes by other processes. Writes are
    /// read back in commit order, so none is lost; a job written twice between reads is reported once.
    /// </summary>
    public async IAsyncEnumerable<JobChanged> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
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
    private async Task<long> HighestChangeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(change_seq), 0) FROM jobs";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<List<(JobChanged Change, long Sequence)>> ChangesAfterAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
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
}
