namespace Specific.Jobs.Logs.ClickHouse;

/// <summary>
/// Every query the <c>otel_logs</c> source sends, as constants with server-side parameters. A job's records are the
/// ones whose resource names its Kubernetes Job (<c>k8s.job.name</c>) or carries its job-id pod label, inside the
/// job's time window (the table is partitioned by day, so the window prunes). Line numbers are
/// <c>row_number()</c> over (Timestamp, Body), so they are the same on every read of a settled log.
/// </summary>
public static class OtelLogsQueries
{
    /// <summary>The OpenTelemetry collector ClickHouse exporter's table, in the database the connection string names.</summary>
    public const string Table = "otel_logs";

    private const string JobRecords =
        " FROM " + Table
        + " WHERE TimestampTime >= {from:DateTime('UTC')} AND TimestampTime <= {to:DateTime('UTC')}"
        + " AND (ResourceAttributes['k8s.job.name'] = {job_name:String}"
        + " OR ResourceAttributes[{job_id_attribute:String}] = {job_id:String})";

    private const string Numbered =
        "(SELECT row_number() OVER (ORDER BY Timestamp, Body) AS line, Timestamp AS timestamp,"
        + " LogAttributes['log.iostream'] AS stream, Body AS text" + JobRecords + ")";

    private const string Line = "line, timestamp, stream, text";

    /// <summary>Up to a limit of lines after a line number, in order.</summary>
    public const string ReadAfter =
        "SELECT " + Line + " FROM " + Numbered + " WHERE line > {after:UInt64} ORDER BY line LIMIT {limit:UInt32}";

    /// <summary>Every line in order, streamed in one query (numbering is a window over the whole log, so paging would repeat it).</summary>
    public const string ReadAll = "SELECT " + Line + " FROM " + Numbered + " ORDER BY line";

    /// <summary>The last lines, newest first.</summary>
    public const string Tail = "SELECT " + Line + " FROM " + Numbered + " ORDER BY line DESC LIMIT {count:UInt32}";

    /// <summary>How many lines the job has, which is its last line number.</summary>
    public const string LastNumber = "SELECT count()" + JobRecords;

    /// <summary>How many lines contain the text (ignoring case), counted up to a cap.</summary>
    public const string CountMatches =
        "SELECT count() FROM (SELECT 1" + JobRecords + " AND positionCaseInsensitiveUTF8(Body, {text:String}) > 0 LIMIT {cap:UInt32})";

    /// <summary>The first lines that contain the text (ignoring case), numbered within the whole log.</summary>
    public const string Search =
        "SELECT " + Line + " FROM " + Numbered
        + " WHERE positionCaseInsensitiveUTF8(text, {text:String}) > 0 ORDER BY line LIMIT {limit:UInt32}";
}
