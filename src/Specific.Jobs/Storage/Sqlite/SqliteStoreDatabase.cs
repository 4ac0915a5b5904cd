using Microsoft.Data.Sqlite;

namespace Specific.Jobs.Storage;

/// <summary>The SQLite file every part of the SQLite job store works in, migrated once for all of them.</summary>
internal sealed class SqliteStoreDatabase
{
    private readonly AsyncOnce _migrations;

    public SqliteStoreDatabase(SqliteDatabase database)
    {
        Database = database;
        _migrations = new AsyncOnce(async ct => MigratedVersion = await Database.MigrateAsync(SqliteMigrations.All, ct));
    }

    /// <summary>The schema version the migration found; null until it has run.</summary>
    public SchemaVersion? MigratedVersion { get; private set; }

    public SqliteDatabase Database { get; }

    /// <summary>Applies the schema migrations once, whichever part asks first.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _migrations.RunAsync(cancellationToken);

    /// <summary>
    /// A list query's rows: <paramref name="select"/> ("SELECT … FROM …") filtered by <paramref name="where"/>, in
    /// <paramref name="orderBy"/> order, at most the clamped <paramref name="limit"/>.
    /// </summary>
    public async Task<List<T>> ListAsync<T>(string select, SqlWhere where, string orderBy, int limit, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"{select} {where.Clause} ORDER BY {orderBy} LIMIT $limit";
        foreach (var (name, value) in where.Parameters)
        {
            Add(command, "$" + name, value);
        }

        Add(command, "$limit", JobRules.ClampLimit(limit));
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static void Add(SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
}
