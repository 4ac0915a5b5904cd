using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Specific.Jobs.Storage;

/// <summary>
/// The database and schema every part of the PostgreSQL job store works in, migrated once for all of them, and the
/// NOTIFY channel that carries job changes.
/// </summary>
internal sealed class PostgresStoreDatabase
{
    private readonly AsyncOnce _migrations;

    public PostgresStoreDatabase(NpgsqlDataSource dataSource, string? schema, ILogger logger)
    {
        DataSource = dataSource;
        var resolved = PostgresSchema.Resolve(schema, dataSource.ConnectionString);
        SchemaName = resolved.Name;
        Schema = resolved.Quoted;
        Channel = SchemaName + "_job_changes";
        _migrations = new AsyncOnce(async ct => MigratedVersion = await resolved.MigrateAsync(DataSource, "schema_migrations", PostgresMigrations.All, logger, ct));
    }

    /// <summary>The schema version the migration found; null until it has run.</summary>
    public SchemaVersion? MigratedVersion { get; private set; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The schema's name as configured or found.</summary>
    public string SchemaName { get; }

    /// <summary>The schema's name quoted for SQL.</summary>
    public string Schema { get; }

    /// <summary>The NOTIFY channel; its payload is <c>jobId:version</c>.</summary>
    public string Channel { get; }

    /// <summary>Applies the schema migrations once, whichever part asks first.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _migrations.RunAsync(cancellationToken);

    /// <summary>
    /// A list query's rows: <paramref name="select"/> ("SELECT … FROM …") filtered by <paramref name="where"/>, in
    /// <paramref name="orderBy"/> order, at most the clamped <paramref name="limit"/>.
    /// </summary>
    public async Task<List<T>> ListAsync<T>(string select, SqlWhere where, string orderBy, int limit, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await using var command = DataSource.CreateCommand($"{select} {where.Clause} ORDER BY {orderBy} LIMIT @limit");
        foreach (var (name, value) in where.Parameters)
        {
            command.Parameters.Add(Text(name, value));
        }

        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = JobRules.ClampLimit(limit) });
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    public static NpgsqlParameter Instant(string name, DateTimeOffset value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value };
}
