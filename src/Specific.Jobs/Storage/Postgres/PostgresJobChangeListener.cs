using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>
/// The PostgreSQL store's change notices: LISTEN on a dedicated connection that survives drops, and a catch-up read of
/// the jobs written meanwhile, so a watcher loses no change.
/// </summary>
internal sealed class PostgresJobChangeListener(PostgresStoreDatabase database, PostgresJobStoreOptions options, ILogger logger)
{
    private readonly PostgresStoreDatabase _database = database;
    private readonly PostgresJobStoreOptions _options = options;
    private readonly ILogger _logger = logger;

    /// <summary>The application_name of the watcher's listening connection, so operators (and tests) can find it.</summary>
    public string ListenerApplicationName => "specific-jobs-listener:" + _database.SchemaName;

    private string Channel => _database.Channel;

    /// <summary>
    /// Notices from LISTEN on a dedicated connection. When the connection drops it reconnects with backoff and
    /// then reports every job written since shortly before it was last known to be listening, so nothing is lost;
    /// the first connection likewise reports the last <see cref="PostgresJobStoreOptions.WatchCatchUpWindow"/>.
    /// A notice may repeat; consumers skip versions they have seen.
    /// </summary>
    public async IAsyncEnumerable<JobChanged> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
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
                await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken);
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
                SELECT id, version, updated_at FROM {_database.Schema}.jobs
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

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
