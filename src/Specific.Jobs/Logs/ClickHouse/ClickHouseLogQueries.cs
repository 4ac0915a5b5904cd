namespace Specific.Jobs.Logs.ClickHouse;

/// <summary>
/// Every query the ClickHouse log store sends: constants, with each value a server-side <c>{name:Type}</c> parameter.
/// A copy of a line stored twice (two writers racing) is read once: the first one inserted, by <c>LIMIT 1 BY line</c>.
/// </summary>
public static class ClickHouseLogQueries
{
    private const string Line = "line, timestamp, stream, text";

    /// <summary>Which of a batch's line numbers are stored already, so appending again stores nothing twice.</summary>
    public const string ExistingLines =
        "SELECT DISTINCT line FROM " + ClickHouseLogSchema.Table
        + " WHERE job_id = {job_id:String} AND line BETWEEN {first:UInt64} AND {last:UInt64}";

    /// <summary>Up to a limit of lines after a line number, in order.</summary>
    public const string ReadAfter =
        "SELECT " + Line + " FROM " + ClickHouseLogSchema.Table
        + " WHERE job_id = {job_id:String} AND line > {after:UInt64}"
        + " ORDER BY line, inserted_at LIMIT 1 BY line LIMIT {limit:UInt32}";

    /// <summary>The last lines, newest first (the store puts them back in order).</summary>
    public const string Tail =
        "SELECT " + Line + " FROM " + ClickHouseLogSchema.Table
        + " WHERE job_id = {job_id:String}"
        + " ORDER BY line DESC, inserted_at LIMIT 1 BY line LIMIT {count:UInt32}";

    /// <summary>The highest line number (0 for none).</summary>
    public const string LastNumber =
        "SELECT max(line) FROM " + ClickHouseLogSchema.Table + " WHERE job_id = {job_id:String}";

    /// <summary>How many lines contain the text (ignoring case), counted up to a cap.</summary>
    public const string CountMatches =
        "SELECT count() FROM (SELECT DISTINCT line FROM " + ClickHouseLogSchema.Table
        + " WHERE job_id = {job_id:String} AND positionCaseInsensitiveUTF8(text, {text:String}) > 0 LIMIT {cap:UInt32})";

    /// <summary>The first lines that contain the text (ignoring case), in order.</summary>
    public const string Search =
        "SELECT " + Line + " FROM " + ClickHouseLogSchema.Table
        + " WHERE job_id = {job_id:String} AND positionCaseInsensitiveUTF8(text, {text:String}) > 0"
        + " ORDER BY line, inserted_at LIMIT 1 BY line LIMIT {limit:UInt32}";
}
