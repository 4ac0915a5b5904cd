using Npgsql;
using NpgsqlTypes;
using Specific.Jobs.Domain;
using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>
/// The PostgreSQL store's jobs: compare-and-set transitions, details, run-alone starts, and the changes every write
/// announces with NOTIFY (watched through <see cref="PostgresJobChangeListener"/>).
/// </summary>
internal sealed partial class PostgresJobTable(PostgresStoreDatabase database, TimeProvider time, PostgresJobChangeListener changes) : IJobStore
{
    private const string JobColumns = JobRows.JobColumns;

    private readonly PostgresStoreDatabase _database = database;

    public async Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _database.InitializeAsync(cancellationToken);
        var sql = $"""
            INSERT INTO {_database.Schema}.jobs (
                id, service, environment, command, name, origin_client, origin_team_id, origin_channel_id,
                origin_user_id, origin_user_name, rerun_of, timeout_seconds, state, version, created_at, updated_at, approved_by, task)
            VALUES (
                @id, @service, @environment, @command, @name, @origin_client, @origin_team_id, @origin_channel_id,
                @origin_user_id, @origin_user_name, @rerun_of, @timeout_seconds, 'pending', 1, @created_at, clock_timestamp(), @approved_by, @task)
            RETURNING {JobColumns}, pg_notify(@channel, id || ':' || version)
            """;
        var createdAt = StorageTime.Normalize(time.GetUtcNow());
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (!request.RunAlone)
                {
                    await using var command = _database.DataSource.CreateCommand(sql);
                    AddCreateParameters(command, request, createdAt);
                    return (await ReadJobsAsync(command, cancellationToken))[0];
                }

                return await CreateAloneAsync(sql, request, createdAt, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt < 3 && request.JobId is null)
            {
                // A random id collided with an existing one: draw another (a chosen id is never redrawn).
            }
        }
    }

    /// <summary>
    /// Records a run-alone job unless its service has an unfinished job. Every run-alone start of the service takes the
    /// same transaction-scoped advisory lock first, so the check and the insert of one cannot interleave with another's.
    /// </summary>
    private async Task<JobRecord> CreateAloneAsync(string insertSql, JobRequest request, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", connection, transaction))
        {
            lockCommand.Parameters.Add(Text("key", $"specific-jobs-run-alone:{_database.SchemaName}:{request.Environment}:{request.Service}"));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var check = new NpgsqlCommand($"""
            SELECT {JobColumns} FROM {_database.Schema}.jobs
            WHERE environment = @environment AND service = @service AND state IN ('pending', 'queued', 'running')
            ORDER BY created_at, id LIMIT 1
            """, connection, transaction))
        {
            check.Parameters.Add(Text("environment", request.Environment));
            check.Parameters.Add(Text("service", request.Service));
            if ((await ReadJobsAsync(check, cancellationToken)) is [var running, ..])
            {
                throw new ServiceBusyException(running);
            }
        }

        await using var insert = new NpgsqlCommand(insertSql, connection, transaction);
        AddCreateParameters(insert, request, createdAt);
        var created = (await ReadJobsAsync(insert, cancellationToken))[0];
        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    private void AddCreateParameters(NpgsqlCommand command, JobRequest request, DateTimeOffset createdAt)
    {
        command.Parameters.Add(Text("id", request.JobId ?? JobIds.New()));
        command.Parameters.Add(Text("approved_by", request.ApprovedBy));
        command.Parameters.Add(Text("service", request.Service));
        command.Parameters.Add(Text("environment", request.Environment));
        command.Parameters.Add(Text("command", request.Command));
        command.Parameters.Add(Text("name", request.Name));
        command.Parameters.Add(Text("origin_client", request.Origin.Client));
        command.Parameters.Add(Text("origin_team_id", request.Origin.TeamId));
        command.Parameters.Add(Text("origin_channel_id", request.Origin.ChannelId));
        command.Parameters.Add(Text("origin_user_id", request.Origin.UserId));
        command.Parameters.Add(Text("origin_user_name", request.Origin.UserName));
        command.Parameters.Add(Text("rerun_of", request.RerunOf));
        command.Parameters.Add(new NpgsqlParameter("timeout_seconds", NpgsqlDbType.Bigint) { Value = (object?)JobRows.TimeoutSeconds(request) ?? DBNull.Value });
        command.Parameters.Add(Text("task", request.Task));
        command.Parameters.Add(Instant("created_at", createdAt));
        command.Parameters.Add(Text("channel", _database.Channel));
    }

    public async Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"SELECT {JobColumns} FROM {_database.Schema}.jobs WHERE id = @id");
        command.Parameters.Add(Text("id", jobId));
        var jobs = await ReadJobsAsync(command, cancellationToken);
        return jobs.Count == 0 ? null : jobs[0];
    }

    public async Task<TransitionResult> TryTransitionAsync(
        string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
    {
        JobRules.EnsureAllowed(expected, transition);
        await _database.InitializeAsync(cancellationToken);
        var enteredAt = JobRules.TimestampColumn(transition.To);
        await using var command = _database.DataSource.CreateCommand($"""
            UPDATE {_database.Schema}.jobs SET
                state = @to,
                version = version + 1,
                {enteredAt} = @at,
                exit_code = COALESCE(@exit_code, exit_code),
                failure_reason = COALESCE(@failure_reason, failure_reason),
                updated_at = clock_timestamp()
            WHERE id = @id AND state = @expected
            RETURNING {JobColumns}, pg_notify(@channel, id || ':' || version)
            """);
        command.Parameters.Add(Text("id", jobId));
        command.Parameters.Add(Text("expected", expected.ToWire()));
        command.Parameters.Add(Text("to", transition.To.ToWire()));
        command.Parameters.Add(Instant("at", StorageTime.Normalize(transition.At)));
        command.Parameters.Add(new NpgsqlParameter("exit_code", NpgsqlDbType.Integer) { Value = (object?)transition.ExitCode ?? DBNull.Value });
        command.Parameters.Add(Text("failure_reason", transition.FailureReason));
        command.Parameters.Add(Text("channel", _database.Channel));
        var moved = await ReadJobsAsync(command, cancellationToken);
        return moved.Count == 1
            ? new TransitionResult(true, moved[0])
            : new TransitionResult(false, await GetAsync(jobId, cancellationToken));
    }

    public async Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(details);
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            UPDATE {_database.Schema}.jobs AS job SET
                kubernetes_job_name = COALESCE(@kubernetes_job_name, job.kubernetes_job_name),
                namespace = COALESCE(@namespace, job.namespace),
                image = COALESCE(@image, job.image),
                notes = job.notes || ARRAY(
                    SELECT added.note FROM unnest(@notes) WITH ORDINALITY AS added(note, position)
                    WHERE added.note <> ALL (job.notes) ORDER BY added.position),
                version = job.version + 1,
                updated_at = clock_timestamp()
            WHERE job.id = @id
            RETURNING {JobColumns}, pg_notify(@channel, job.id || ':' || job.version)
            """);
        command.Parameters.Add(Text("id", jobId));
        command.Parameters.Add(Text("kubernetes_job_name", details.KubernetesJobName));
        command.Parameters.Add(Text("namespace", details.Namespace));
        command.Parameters.Add(Text("image", details.Image));
        command.Parameters.Add(new NpgsqlParameter("notes", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = JobRules.NewNotes([], details.Notes),
        });
        command.Parameters.Add(Text("channel", _database.Channel));
        var updated = await ReadJobsAsync(command, cancellationToken);
        return updated.Count == 1 ? updated[0] : throw new JobNotFoundException(jobId);
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await _database.ListAsync(
            $"SELECT {JobColumns} FROM {_database.Schema}.jobs", SqlWhere.For(query, '@'), "created_at DESC, id DESC", query.Limit, ReadJob, cancellationToken);
    }

    /// <inheritdoc cref="PostgresJobChangeListener.WatchAsync"/>
    public IAsyncEnumerable<JobChanged> WatchAsync(CancellationToken cancellationToken) => changes.WatchAsync(cancellationToken);

    private static async Task<List<JobRecord>> ReadJobsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<JobRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(ReadJob(reader));
        }

        return jobs;
    }

    private static JobRecord ReadJob(NpgsqlDataReader reader) => JobRows.ReadJob(
        reader,
        static (row, ordinal) => row.GetFieldValue<DateTimeOffset>(ordinal),
        static (row, ordinal) => row.GetFieldValue<string[]>(ordinal));
}
