namespace Specific.Jobs.Storage;

/// <summary>Where jobs, threads, request keys and logs are kept. Bound from the "Storage" configuration section.</summary>
public sealed record StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The embedded default: one SQLite file.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>Production: PostgreSQL, shared by every replica.</summary>
    public const string Postgres = "postgres";

    /// <summary>"sqlite" (the default) or "postgres".</summary>
    public string Provider { get; init; } = Sqlite;

    /// <summary>The Npgsql connection string when <see cref="Provider"/> is "postgres"; its Search Path picks the schema.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The SQLite job store file when <see cref="Provider"/> is "sqlite".</summary>
    public string SqlitePath { get; init; } = ".sandbox/jobs.db";

    /// <summary>The SQLite log store file; by default logs.db beside <see cref="SqlitePath"/>.</summary>
    public string? LogsSqlitePath { get; init; }

    internal bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);

    internal string LogsPath => string.IsNullOrWhiteSpace(LogsSqlitePath)
        ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(SqlitePath) ?? "", "logs.db")
        : LogsSqlitePath;
}
