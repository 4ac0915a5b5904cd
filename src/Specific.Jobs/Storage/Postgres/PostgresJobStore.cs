using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>
/// The production job store on PostgreSQL: compare-and-set transitions, thread cursors and leases, the request
/// ledger, and LISTEN/NOTIFY for change notices. Every replica shares it; each write notifies every replica.
/// </summary>
public sealed partial class PostgresJobStore : IJobStorageBackend
{
    private const string JobColumns = JobRows.JobColumns;


    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly PostgresJobStoreOptions _options;
    private readonly ILogger _logger;
    private readonly AsyncOnce _migrations;
    private readonly string _schemaName;
    private readonly string _schema;
    private readonly PruneSchedule _requestKeyPrune = new(TimeSpan.FromMinutes(10));

    public PostgresJobStore(
        NpgsqlDataSource dataSource,
        TimeProvider timeProvider,
        PostgresJobStoreOptions? options = null,
        ILogger<PostgresJobStore>? logger = null)
    {
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? new PostgresJobStoreOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var schema = PostgresSchema.Resolve(_options.Schema, dataSource.ConnectionString);
        _schemaName = schema.Name;
        _schema = schema.Quoted;
        Channel = _schemaName + "_job_changes";
        _migrations = new AsyncOnce(ct => schema.MigrateAsync(_dataSource, "schema_migrations", PostgresMigrations.All, _logger, ct));
    }

    /// <summary>The NOTIFY channel; its payload is <c>jobId:version</c>.</summary>
    public string Channel { get; }

    /// <summary>The application_name of the watcher's listening connection, so operators (and tests) can find it.</summary>
    public string ListenerApplicationName => "specific-jobs-listener:" + _schemaName;

    public Task InitializeAsync(CancellationToken cancellationToken) => _migrations.RunAsync(cancellationToken);

    public async Task<JobRecord> CreateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await InitializeAsync(cancellationToken);
        var sql = $"""
            INSERT INTO {_schema}.jobs (
                id, service, environment, command, name, origin_client, origin_team_id, origin_channel_id,
                origin_user_id, origin_user_name, rerun_of, state, version, created_at, updated_at)
            VALUES (
                @id, @service, @environment, @command, @name, @origin_client, @origin_team_id, @origin_channel_id,
                @origin_user_id, @origin_user_name, @rerun_of, 'pending', 1, @created_at, clock_timestamp())
            RETURNING {JobColumns}, pg_notify(@channel, id || ':' || version)
            """;
        var createdAt = StorageTime.Normalize(_time.GetUtcNow());
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (!request.RunAlone)
                {
                    await using var command = _dataSource.CreateCommand(sql);
                    AddCreateParameters(command, request, createdAt);
                    return (await ReadJobsAsync(command, cancellationToken))[0];
                }

                return await CreateAloneAsync(sql, request, createdAt, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt < 3)
            {
                // A random id collided with an existing one: draw another.
            }
        }
    }

    /// <summary>
    /// Records a run-alone job unless its service has an unfinished job. Every run-alone start of the service takes the
    /// same transaction-scoped advisory lock first, so the check and the insert of one cannot interleave with another's.
    /// </summary>
    private async Task<JobRecord> CreateAloneAsync(string insertSql, JobRequest request, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", connection, transaction))
        {
            lockCommand.Parameters.Add(Text("key", $"specific-jobs-run-alone:{_schemaName}:{request.Environment}:{request.Service}"));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var check = new NpgsqlCommand($"""
            SELECT {JobColumns} FROM {_schema}.jobs
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
        command.Parameters.Add(Text("id", JobIds.New()));
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
        command.Parameters.Add(Instant("created_at", createdAt));
        command.Parameters.Add(Text("channel", Channel));
    }

    public async Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"SELECT {JobColumns} FROM {_schema}.jobs WHERE id = @id");
        command.Parameters.Add(Text("id", jobId));
        var jobs = await ReadJobsAsync(command, cancellationToken);
        return jobs.Count == 0 ? null : jobs[0];
    }

    public async Task<TransitionResult> TryTransitionAsync(
        string jobId, JobState expected, JobTransition transition, CancellationToken cancellationToken)
    {
        JobRules.EnsureAllowed(expected, transition);
        await InitializeAsync(cancellationToken);
        var enteredAt = JobRules.TimestampColumn(transition.To);
        await using var command = _dataSource.CreateCommand($"""
            UPDATE {_schema}.jobs SET
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
        command.Parameters.Add(Text("channel", Channel));
        var moved = await ReadJobsAsync(command, cancellationToken);
        return moved.Count == 1
            ? new TransitionResult(true, moved[0])
            : new TransitionResult(false, await GetAsync(jobId, cancellationToken));
    }

    public async Task<JobRecord> AddDetailsAsync(string jobId, JobDetails details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(details);
        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"""
            UPDATE {_schema}.jobs AS job SET
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
        command.Parameters.Add(Text("channel", Channel));
        var updated = await ReadJobsAsync(command, cancellationToken);
        return updated.Count == 1 ? updated[0] : throw new JobNotFoundException(jobId);
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await InitializeAsync(cancellationToken);
        var filters = new List<string>();
        await using var command = _dataSource.CreateCommand();
        if (query.Service is not null)
        {
            filters.Add("service = @service");
            command.Parameters.Add(Text("service", query.Service));
        }

        if (query.Environment is not null)
        {
            filters.Add("environment = @environment");
            command.Parameters.Add(Text("environment", query.Environment));
        }

        if (query.ChannelId is not null)
        {
            filters.Add("origin_channel_id = @channel_id");
            command.Parameters.Add(Text("channel_id", query.ChannelId));
        }

        if (query.UnfinishedOnly)
        {
            filters.Add("state IN ('pending', 'queued', 'running')");
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        command.CommandText = $"SELECT {JobColumns} FROM {_schema}.jobs {where} ORDER BY created_at DESC, id DESC LIMIT @limit";
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = JobRules.ClampLimit(query.Limit) });
        return await ReadJobsAsync(command, cancellationToken);
    }

    /// <summary>
    /// Notices from LISTEN on a dedicated connection. When the connection drops it reconnects with backoff and
    /// then reports every job written since shortly before it was last known to be listening, so nothing is lost;
    /// the first connection likewise reports the last <see cref="PostgresJobStoreOptions.WatchCatchUpWindow"/>.
    /// A notice may repeat; consumers skip versions they have seen.
    /// </summary>
    public async IAsyncEnumerable<JobChanged> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        using var inbox = new ChangeInbox();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listening = ListenAsync(inbox, stop.Token);
        try
        {
            while (true)
            {
                foreach (var change in await inbox.TakeAsync(cancellationToken))
                {
                    yield return change;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await listening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    Task<JobThread?> IThreadStore.GetAsync(string jobId, CancellationToken cancellationToken) =>
        GetThreadAsync(jobId, cancellationToken);

    private async Task<JobThread?> GetThreadAsync(string jobId, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"""
            SELECT {JobRows.ThreadColumns}
            FROM {_schema}.job_threads WHERE job_id = @id AND channel_id IS NOT NULL
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
        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO {_schema}.job_threads (
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
        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO {_schema}.job_threads AS thread (job_id, lease_owner, lease_until)
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
        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"""
            UPDATE {_schema}.job_threads SET lease_owner = NULL, lease_until = NULL
            WHERE job_id = @id AND lease_owner = @owner
            """);
        command.Parameters.Add(Text("id", jobId));
        command.Parameters.Add(Text("owner", owner));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Jobs with a saved thread cursor whose final reply has not gone out.</summary>
    public async Task<IReadOnlyList<string>> ListOpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"""
            SELECT job_id FROM {_schema}.job_threads
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

    public async Task<bool> TryRecordAsync(string key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await InitializeAsync(cancellationToken);
        await PruneRequestKeysAsync(at, cancellationToken);
        await using var command = _dataSource.CreateCommand(
            $"INSERT INTO {_schema}.request_keys (key, seen_at) VALUES (@key, @at) ON CONFLICT (key) DO NOTHING");
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

        await using var command = _dataSource.CreateCommand($"DELETE FROM {_schema}.request_keys WHERE seen_at < @cutoff");
        command.Parameters.Add(Instant("cutoff", StorageTime.Normalize(at - _options.RequestKeyRetention)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ListenAsync(ChangeInbox inbox, CancellationToken cancellationToken)
    {
        // The database's clock at the last moment the listener was known to be connected.
        DateTimeOffset? listeningSince = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var opened = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                opened = true;
                connection.Notification += (_, notice) =>
                {
                    if (TryParseNotice(notice.Payload, out var change))
                    {
                        inbox.Post(change);
                    }
                };
                await ExecuteAsync(connection, $"SET application_name = '{ListenerApplicationName}'; LISTEN \"{Channel}\"", cancellationToken);
                var connectedAt = await DatabaseNowAsync(connection, cancellationToken);
                await CatchUpAsync(connection, (listeningSince ?? connectedAt) - _options.WatchCatchUpWindow, inbox, cancellationToken);
                if (failures > 0)
                {
                    _logger.LogInformation("Job change listener on {Channel} reconnected after {Failures} failed attempts", Channel, failures);
                }

                listeningSince = connectedAt;
                failures = 0;
                // A heartbeat proves the connection alive and moves the catch-up point, however busy the channel is.
                var sinceHeartbeat = Stopwatch.StartNew();
                while (true)
                {
                    var untilHeartbeat = _options.WatchHeartbeat - sinceHeartbeat.Elapsed;
                    if (untilHeartbeat <= TimeSpan.Zero || !await connection.WaitAsync(untilHeartbeat, cancellationToken))
                    {
                        listeningSince = await DatabaseNowAsync(connection, cancellationToken);
                        sinceHeartbeat.Restart();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException e) when (!opened)
            {
                // The data source was disposed: the host is shutting down, and no reconnect can succeed.
                inbox.Fail(e);
                return;
            }
            catch (Exception e)
            {
                // Whatever broke the listener, a watcher that stops listening would lose changes: always retry.
                failures++;
                var delay = ReconnectDelay(failures);
                _logger.LogWarning(e, "Job change listener on {Channel} lost its connection; reconnecting in {Delay}", Channel, delay);
                try
                {
                    await Task.Delay(delay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private TimeSpan ReconnectDelay(int failures)
    {
        var exponential = TimeSpan.FromMilliseconds(100 * Math.Pow(2, Math.Min(failures - 1, 10)));
        var capped = exponential < _options.WatchReconnectDelayMax ? exponential : _options.WatchReconnectDelayMax;
        // Jitter, so replicas that lost the server together do not reconnect in lockstep.
        return capped * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    private async Task CatchUpAsync(NpgsqlConnection connection, DateTimeOffset since, ChangeInbox inbox, CancellationToken cancellationToken)
    {
        const int Page = 500;
        var afterTime = since;
        var afterId = "";
        while (true)
        {
            await using var command = new NpgsqlCommand($"""
                SELECT id, version, updated_at FROM {_schema}.jobs
                WHERE (updated_at, id) > (@after_time, @after_id)
                ORDER BY updated_at, id LIMIT {Page}
                """, connection);
            command.Parameters.Add(Instant("after_time", afterTime));
            command.Parameters.Add(Text("after_id", afterId));
            var read = 0;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                read++;
                afterId = reader.GetString(0);
                afterTime = reader.GetFieldValue<DateTimeOffset>(2);
                inbox.Post(new JobChanged(afterId, reader.GetInt64(1)));
            }

            if (read < Page)
            {
                return;
            }
        }
    }

    public async Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await InitializeAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO {_schema}.audit_entries (
                at, action, outcome, environment, service, job_id, team_id, user_id, channel_id, command_text, rule, detail)
            VALUES (@at, @action, @outcome, @environment, @service, @job_id, @team_id, @user_id, @channel_id, @command_text, @rule, @detail)
            RETURNING id
            """);
        var at = StorageTime.Normalize(entry.At);
        command.Parameters.Add(Instant("at", at));
        command.Parameters.Add(Text("action", entry.Action.ToWire()));
        command.Parameters.Add(Text("outcome", entry.Outcome.ToWire()));
        command.Parameters.Add(Text("environment", entry.Environment));
        command.Parameters.Add(Text("service", entry.Service));
        command.Parameters.Add(Text("job_id", entry.JobId));
        command.Parameters.Add(Text("team_id", entry.TeamId));
        command.Parameters.Add(Text("user_id", entry.UserId));
        command.Parameters.Add(Text("channel_id", entry.ChannelId));
        command.Parameters.Add(Text("command_text", entry.CommandText));
        command.Parameters.Add(Text("rule", entry.Rule));
        command.Parameters.Add(Text("detail", entry.Detail));
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return entry with { Id = id, At = at };
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await InitializeAsync(cancellationToken);
        var filters = new List<string>();
        await using var command = _dataSource.CreateCommand();
        if (query.Environment is not null)
        {
            filters.Add("environment = @environment");
            command.Parameters.Add(Text("environment", query.Environment));
        }

        if (query.Service is not null)
        {
            filters.Add("service = @service");
            command.Parameters.Add(Text("service", query.Service));
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        command.CommandText = $"SELECT {JobRows.AuditColumns} FROM {_schema}.audit_entries {where} ORDER BY at DESC, id DESC LIMIT @limit";
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = JobRules.ClampLimit(query.Limit) });
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(JobRows.ReadAudit(reader, static (row, ordinal) => row.GetFieldValue<DateTimeOffset>(ordinal)));
        }

        return entries;
    }

    private static async Task<DateTimeOffset> DatabaseNowAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT clock_timestamp()", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    private static bool TryParseNotice(string payload, out JobChanged change)
    {
        var separator = payload.LastIndexOf(':');
        if (separator > 0 && long.TryParse(payload.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            change = new JobChanged(payload[..separator], version);
            return true;
        }

        change = new JobChanged("", 0);
        return false;
    }

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

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Instant(string name, DateTimeOffset value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value };
}
