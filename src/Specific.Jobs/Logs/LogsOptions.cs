namespace Specific.Jobs.Logs;

/// <summary>Where job logs are kept and read. Bound from the "Logs" configuration section.</summary>
public sealed record LogsOptions
{
    public const string Section = "Logs";

    /// <summary>Logs in the SQLite file beside the job store (the embedded default).</summary>
    public const string SqliteProvider = "sqlite";

    /// <summary>Logs in the job store's PostgreSQL database.</summary>
    public const string PostgresProvider = "postgres";

    /// <summary>Logs in ClickHouse (production).</summary>
    public const string ClickHouseProvider = "clickhouse";

    /// <summary>The worker appends the lines it follows to the log store.</summary>
    public const string StoreSource = "store";

    /// <summary>An OpenTelemetry collector already ships pod logs to ClickHouse's otel_logs; the worker appends nothing.</summary>
    public const string OtelLogsSource = "otel_logs";

    /// <summary>"sqlite", "postgres" or "clickhouse"; unset follows Storage:Provider (sqlite or postgres).</summary>
    public string? Provider { get; init; }

    /// <summary>"store" (the default) or "otel_logs".</summary>
    public string Source { get; init; } = StoreSource;

    /// <summary>How many days ClickHouse keeps lines (the table's TTL). The product's standard window is 30.</summary>
    public int RetentionDays { get; init; } = 30;

    /// <summary>
    /// The largest full-log file uploaded to Slack, in bytes (default 25 MiB). A longer log keeps its beginning and its
    /// last lines, and says in the file which lines were cut.
    /// </summary>
    public long FullLogMaxBytes { get; init; } = 25L * 1024 * 1024;

    /// <summary>The ClickHouse connection, for the clickhouse provider and the otel_logs source.</summary>
    public ClickHouseLogsOptions ClickHouse { get; init; } = new();

    /// <summary>True when lines come from the collector's otel_logs table.</summary>
    public bool ReadsOtelLogs => string.Equals(Source, OtelLogsSource, StringComparison.OrdinalIgnoreCase);

    /// <summary>The provider in force: the configured one, or the job store's.</summary>
    public string EffectiveProvider(string storageProvider) =>
        string.IsNullOrWhiteSpace(Provider) ? storageProvider.ToLowerInvariant() : Provider.Trim().ToLowerInvariant();
}

/// <summary>The ClickHouse side of <see cref="LogsOptions"/>.</summary>
public sealed record ClickHouseLogsOptions
{
    /// <summary>A ClickHouse.Driver connection string, e.g. <c>Host=clickhouse;Port=8123;Username=jobs;Password=…;Database=jobs</c>.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The most lines sent in one binary insert.</summary>
    public int InsertBatchSize { get; init; } = 10_000;

    /// <summary>The otel_logs resource attribute that carries the job-id pod label.</summary>
    public string JobIdAttribute { get; init; } = global::Specific.Jobs.Logs.ClickHouse.OtelLogsSource.DefaultJobIdAttribute;
}
