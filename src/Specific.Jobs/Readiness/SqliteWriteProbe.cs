using Microsoft.Data.Sqlite;
using Specific.Jobs.Logs;
using Specific.Jobs.Logs.Sqlite;
using Specific.Jobs.Storage;
using static SQLitePCL.raw;

namespace Specific.Jobs.Readiness;

/// <summary>
/// Whether a SQLite store's writes still reach the file at its path: a heartbeat is written through the store's own
/// connection pool, then read back through a fresh connection opened on the path. A full disk or a read-only file fails
/// the write; a file deleted, moved or replaced under the running bot (its pool still writing to the old one) does not
/// show the heartbeat.
/// </summary>
public sealed class SqliteWriteProbe : IStoreWriteProbe
{
    // The probe waits this long for another writer; a longer wait says the store is busy, not broken.
    private const int BusyTimeoutSeconds = 2;

    // Heartbeats of processes that stopped are forgotten after this long.
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);

    private readonly SqliteDatabase _database;
    private readonly Func<CancellationToken, Task> _initialize;
    private readonly TimeProvider _time;
    private readonly string _freshConnectionString;
    private readonly string _probe = Guid.NewGuid().ToString("N");
    private string? _lastProblem;

    internal SqliteWriteProbe(SqliteStoreFile file, Func<CancellationToken, Task> initialize, TimeProvider time)
    {
        File = file;
        _database = new SqliteDatabase(file.Path);
        _initialize = initialize;
        _time = time;
        // Not pooled and never creating: it must open the file that is at the path now, or fail.
        _freshConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = file.Path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
    }

    /// <summary>A file on this replica's volume: its fault is this replica's.</summary>
    public bool SharedByReplicas => false;

    /// <summary>The file probed.</summary>
    public SqliteStoreFile File { get; }

    /// <summary>The probes of the SQLite stores among these (none for PostgreSQL, ClickHouse or a store of a test's own).</summary>
    public static IReadOnlyList<SqliteWriteProbe> For(IJobStore jobs, ILogStore logs, TimeProvider time)
    {
        var probes = new List<SqliteWriteProbe>();
        if (jobs is SqliteJobStore jobFile)
        {
            probes.Add(new SqliteWriteProbe(SqliteStoreFile.JobStore(jobFile.Path), jobFile.InitializeAsync, time));
        }

        if (logs is SqliteLogStore logFile)
        {
            probes.Add(new SqliteWriteProbe(SqliteStoreFile.LogStore(logFile.Path), logFile.InitializeAsync, time));
        }

        return probes;
    }

    /// <summary>Null when a heartbeat written through the store's pool reads back from the file at its path; otherwise what is wrong and what to do.</summary>
    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        // Opening a missing path through the store's pool would create an empty database there.
        if (!System.IO.File.Exists(File.Path))
        {
            return _lastProblem = File.Moved();
        }

        // A connection of the pool still holding a file that was unlinked from the path: a heartbeat may happen to go
        // through a connection opened since, and read back, while the others write to the old file.
        if (HoldsReplacedFile(File.Path))
        {
            return _lastProblem = File.Moved();
        }

        var beat = Guid.NewGuid().ToString("N");
        try
        {
            await _initialize(cancellationToken);
            await WriteAsync(beat, cancellationToken);
        }
        catch (SqliteException busy) when (busy.SqliteErrorCode is SQLITE_BUSY or SQLITE_LOCKED)
        {
            // Another writer held the file longer than the probe waits: no news, the last answer stands.
            return _lastProblem;
        }
        catch (SqliteException missing) when (missing.SqliteErrorCode == SQLITE_ERROR)
        {
            // No heartbeat table: the pool writes to a file that is not the one the store migrated.
            return _lastProblem = File.Moved();
        }
        catch (SqliteException failed)
        {
            return _lastProblem = File.CannotWrite(failed);
        }

        return _lastProblem = await ReadsBackAsync(beat, cancellationToken) ? null : File.Moved();
    }

    /// <summary>
    /// True when this process has the database or its WAL open as a file that is no longer at its path (Linux names such
    /// a descriptor "… (deleted)" in /proc/self/fd); false where /proc cannot tell.
    /// </summary>
    private static bool HoldsReplacedFile(string path)
    {
        const string Descriptors = "/proc/self/fd";
        if (!Directory.Exists(Descriptors))
        {
            return false;
        }

        var full = System.IO.Path.GetFullPath(path);
        string[] replaced = [full + " (deleted)", full + "-wal (deleted)"];
        foreach (var descriptor in Directory.EnumerateFileSystemEntries(Descriptors))
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget is { } target && replaced.Contains(target, StringComparer.Ordinal))
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while it was being read.
            }
        }

        return false;
    }

    private async Task WriteAsync(string beat, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await SqliteDatabase.ExecuteAsync(connection, $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}", cancellationToken);
        await using var write = connection.CreateCommand();
        write.CommandTimeout = BusyTimeoutSeconds;
        write.CommandText = $"""
            INSERT INTO {SqliteDatabase.HeartbeatTable} (probe, beat, at) VALUES ($probe, $beat, $at)
                ON CONFLICT (probe) DO UPDATE SET beat = excluded.beat, at = excluded.at;
            DELETE FROM {SqliteDatabase.HeartbeatTable} WHERE at < $forget;
            """;
        var now = _time.GetUtcNow();
        write.Parameters.AddWithValue("$probe", _probe);
        write.Parameters.AddWithValue("$beat", beat);
        write.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
        write.Parameters.AddWithValue("$forget", (now - ForgetAfter).ToUnixTimeMilliseconds());
        await write.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> ReadsBackAsync(string beat, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_freshConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var read = connection.CreateCommand();
            read.CommandText = $"SELECT beat FROM {SqliteDatabase.HeartbeatTable} WHERE probe = $probe";
            read.Parameters.AddWithValue("$probe", _probe);
            return await read.ExecuteScalarAsync(cancellationToken) is string found && found == beat;
        }
        catch (SqliteException)
        {
            // The path cannot be opened as this store's database any more.
            return false;
        }
    }
}
