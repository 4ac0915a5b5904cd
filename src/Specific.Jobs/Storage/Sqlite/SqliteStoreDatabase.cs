using Microsoft.Data.Sqlite;

namespace Specific.Jobs.Storage;

/// <summary>The SQLite file every part of the SQLite job store works in, migrated once for all of them.</summary>
internal sealed class SqliteStoreDatabase
{
    private readonly AsyncOnce _migrations;

    public SqliteStoreDatabase(SqliteDatabase database)
    {
        Database = database;
        _migrations = new AsyncOnce(ct => Database.MigrateAsync(SqliteMigrations.All, ct));
    }

    public SqliteDatabase Database { get; }

    /// <summary>Applies the schema migrations once, whichever part asks first.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _migrations.RunAsync(cancellationToken);

    public static void Add(SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
}
