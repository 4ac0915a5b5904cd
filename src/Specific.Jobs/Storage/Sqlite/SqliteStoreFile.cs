using Microsoft.Data.Sqlite;
using static SQLitePCL.raw;

namespace Specific.Jobs.Storage;

/// <summary>
/// One SQLite file a store keeps, as an operator knows it (which store, where, and the setting that names it), and
/// what to tell them when that file cannot be used.
/// </summary>
public sealed record SqliteStoreFile(string Store, string Path, string Setting)
{
    /// <summary>The job store's file: Storage__SqlitePath.</summary>
    public static SqliteStoreFile JobStore(string path) => new("job store", path, "Storage__SqlitePath");

    /// <summary>The log store's file: Storage__LogsSqlitePath, which defaults to logs.db beside the job store's.</summary>
    public static SqliteStoreFile LogStore(string path) =>
        new("log store", path, "Storage__LogsSqlitePath (by default logs.db beside Storage__SqlitePath)");

    /// <summary>Why the file could not be opened or migrated at start-up, and what to do: one line.</summary>
    public string Unusable(SqliteException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Directory.Exists(Path))
        {
            return $"the {Store} path {Path} is a directory, not a SQLite file. Check {Setting}: it names the database file itself, which the bot creates when it is missing.";
        }

        return exception.SqliteErrorCode switch
        {
            SQLITE_NOTADB => $"the {Store} file {Path} is not a SQLite database ({exception.Message}). Check {Setting}: point it at the bot's database, or move this file away and the bot starts with an empty one.",
            SQLITE_CORRUPT => $"the {Store} file {Path} is damaged ({exception.Message}). Restore it from a backup, or move it away and the bot starts with an empty one; check {Setting}.",
            SQLITE_CANTOPEN => $"the {Store} file {Path} cannot be opened ({exception.Message}). Check {Setting}, and that its folder exists and the bot may write there.",
            _ => $"the {Store} file {Path} cannot be used ({exception.Message}). Check {Setting}, the disk's free space, and that the file and its folder are writable.",
        };
    }

    /// <summary>The store's writes no longer reach the file at its path: it was deleted, moved or replaced under the bot.</summary>
    public string Moved() =>
        $"The SQLite {Store} file {Path} was deleted or replaced while the bot ran: what the bot writes now does not reach the file at that path and is lost at restart. "
        + $"Put the file back, or restore it and restart the bot ({Setting}).";

    /// <summary>A write to the file failed: a full disk, a read-only file or volume, an I/O error.</summary>
    public string CannotWrite(SqliteException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return $"The SQLite {Store} file {Path} cannot be written ({exception.Message}). Check the disk's free space and that the file and its folder are writable "
            + $"({Setting}); the bot is ready again once a write succeeds.";
    }
}
