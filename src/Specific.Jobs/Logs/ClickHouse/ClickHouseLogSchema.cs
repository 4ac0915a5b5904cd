using System.Globalization;

namespace Specific.Jobs.Logs.ClickHouse;

/// <summary>
/// The log table in ClickHouse and its migrations. One job's lines sit together in line order (ORDER BY (job_id, line)),
/// so a tail, a range or a whole log is a read of one contiguous key range; days are partitions, so the retention TTL
/// drops whole parts instead of rewriting them.
/// </summary>
public static class ClickHouseLogSchema
{
    /// <summary>The table, in the database the connection string names.</summary>
    public const string Table = "job_log_lines";

    /// <summary>The columns a batch insert sends, in order.</summary>
    public static IReadOnlyList<string> InsertColumns { get; } = ["job_id", "service", "environment", "timestamp", "stream", "line", "text"];

    /// <summary>Their types, exactly as the table declares them, so InsertBinaryAsync needs no schema probe.</summary>
    public static IReadOnlyDictionary<string, string> InsertColumnTypes { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["job_id"] = "String",
        ["service"] = "LowCardinality(String)",
        ["environment"] = "LowCardinality(String)",
        ["timestamp"] = "DateTime64(9, 'UTC')",
        ["stream"] = "LowCardinality(String)",
        ["line"] = "UInt64",
        ["text"] = "String",
    };

    /// <summary>The table comment records the retention in force, so a start-up changes the TTL only when it changed.</summary>
    public static string RetentionComment(int retentionDays) =>
        string.Create(CultureInfo.InvariantCulture, $"retention_days={retentionDays}");

    /// <summary>
    /// Creates the table if it is missing. The retention is a number from configuration (validated at start-up),
    /// never user input; DDL cannot take server-side parameters.
    /// </summary>
    public static string CreateTable(int retentionDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retentionDays, 1);
        return string.Create(CultureInfo.InvariantCulture, $"""
            CREATE TABLE IF NOT EXISTS {Table}
            (
                job_id      String,
                service     LowCardinality(String),
                environment LowCardinality(String),
                timestamp   DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
                stream      LowCardinality(String),
                line        UInt64,
                text        String CODEC(ZSTD(3)),
                inserted_at DateTime64(9, 'UTC') DEFAULT now64(9)
            )
            ENGINE = MergeTree
            PARTITION BY toDate(timestamp)
            ORDER BY (job_id, line)
            TTL toDateTime(timestamp) + INTERVAL {retentionDays} DAY
            SETTINGS ttl_only_drop_parts = 1
            COMMENT '{RetentionComment(retentionDays)}'
            """);
    }

    /// <summary>Changes the TTL of an existing table to the configured retention.</summary>
    public static string ModifyTtl(int retentionDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retentionDays, 1);
        return string.Create(CultureInfo.InvariantCulture,
            $"ALTER TABLE {Table} MODIFY TTL toDateTime(timestamp) + INTERVAL {retentionDays} DAY");
    }

    /// <summary>Records the retention now in force.</summary>
    public static string ModifyComment(int retentionDays) =>
        string.Create(CultureInfo.InvariantCulture, $"ALTER TABLE {Table} MODIFY COMMENT '{RetentionComment(retentionDays)}'");

    /// <summary>The table's comment, to see which retention it has.</summary>
    public const string ReadComment =
        "SELECT comment FROM system.tables WHERE database = currentDatabase() AND name = {table:String}";
}
