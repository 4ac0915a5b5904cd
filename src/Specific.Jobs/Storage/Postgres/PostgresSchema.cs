using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Specific.Jobs.Storage;

/// <summary>
/// The PostgreSQL schema a store lives in: its name (from options or the connection string's Search Path) and
/// the migration runner, which applies a store's steps once under an advisory lock so replicas never race.
/// </summary>
internal sealed partial class PostgresSchema
{
    private PostgresSchema(string name)
    {
        Name = name;
        Quoted = '"' + name + '"';
    }

    /// <summary>The bare schema name.</summary>
    public string Name { get; }

    /// <summary>The name quoted for SQL.</summary>
    public string Quoted { get; }

    /// <summary>The configured schema, else the first entry of the connection string's Search Path, else "public".</summary>
    public static PostgresSchema Resolve(string? configured, string connectionString)
    {
        var schema = configured;
        if (string.IsNullOrWhiteSpace(schema))
        {
            var searchPath = new NpgsqlConnectionStringBuilder(connectionString).SearchPath;
            schema = searchPath?.Split(',')[0].Trim().Trim('"');
        }

        if (string.IsNullOrWhiteSpace(schema) || schema == "$user")
        {
            schema = "public";
        }

        // The name goes into SQL and into NOTIFY channel names, which PostgreSQL caps at 63 bytes.
        return SchemaName().IsMatch(schema)
            ? new PostgresSchema(schema)
            : throw new ArgumentException(
                $"The schema '{schema}' must be letters, digits and underscores, at most 40 characters, starting with a letter or underscore.");
    }

    /// <summary>
    /// Applies the steps of <paramref name="migrations"/> not yet recorded in <paramref name="historyTable"/>, all in
    /// one transaction under a transaction-level advisory lock, and answers the schema version found after;
    /// <c>{schema}</c> in a step stands for the quoted schema.
    /// </summary>
    /// <remarks>
    /// Replicas starting together queue on the lock; the first applies the steps and commits, the others then find
    /// them recorded. The lock ends with the transaction, so a crash or a broken connection never leaves it held on a
    /// pooled connection, and a failed step leaves no step of the run applied.
    /// </remarks>
    public async Task<SchemaVersion> MigrateAsync(
        NpgsqlDataSource dataSource, string historyTable, IReadOnlyList<Migration> migrations, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", cancellationToken, Text("key", LockKey));
        await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema)", connection))
        {
            exists.Parameters.Add(Text("schema", Name));
            // CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege, which a least-privileged owner of an existing schema lacks.
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                await ExecuteAsync(connection, $"CREATE SCHEMA {Quoted}", cancellationToken);
            }
        }

        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS {Quoted}.{historyTable} (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, cancellationToken);

        var applied = new HashSet<long>();
        await using (var select = new NpgsqlCommand($"SELECT version FROM {Quoted}.{historyTable}", connection))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var steps = migrations.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version).ToList();
        foreach (var migration in steps)
        {
            await ExecuteAsync(connection, migration.Sql.Replace("{schema}", Quoted, StringComparison.Ordinal), cancellationToken);
            await ExecuteAsync(
                connection,
                $"INSERT INTO {Quoted}.{historyTable} (version, name) VALUES (@version, @name)",
                cancellationToken,
                new NpgsqlParameter("version", NpgsqlDbType.Integer) { Value = migration.Version },
                Text("name", migration.Name));
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var migration in steps)
        {
            logger.LogInformation("Applied migration {Version} ({Name}) to {Schema}.{History}", migration.Version, migration.Name, Name, historyTable);
        }

        return Migration.VersionAfter(migrations, applied);
    }

    /// <summary>
    /// The advisory lock's key, one per schema (the job and log stores in one schema take turns). Kept as releases
    /// before 0.9.0 spelled it for their session-level lock, which conflicts with this transaction-level one, so an old
    /// pod starting during an upgrade still waits for a new one's migration.
    /// </summary>
    internal string LockKey => $"specific-jobs-migrations:{Name}";

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Text(string name, string value) => new(name, NpgsqlDbType.Text) { Value = value };

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,39}$")]
    private static partial Regex SchemaName();
}
