using System.Data;

namespace Specific.Jobs.Logs.ClickHouse;

/// <summary>
/// One statement for ClickHouse: constant SQL whose values appear only as server-side <c>{name:Type}</c> placeholders,
/// and the values sent beside it. Nothing a user typed is ever part of <see cref="Sql"/>.
/// </summary>
public sealed record ClickHouseStatement(string Sql, IReadOnlyDictionary<string, object> Parameters)
{
    /// <summary>A statement without parameters (schema changes).</summary>
    public static ClickHouseStatement Plain(string sql) => new(sql, new Dictionary<string, object>());
}

/// <summary>One batch for <c>InsertBinaryAsync</c>, with every column's type given so no schema probe is needed.</summary>
public sealed record ClickHouseInsert(
    string Table,
    IReadOnlyList<string> Columns,
    IReadOnlyDictionary<string, string> ColumnTypes,
    IReadOnlyList<object[]> Rows);

/// <summary>
/// The calls the ClickHouse log stores make. <see cref="ClickHouseDriverGateway"/> sends them with ClickHouse.Driver;
/// unit tests record them, so what would reach the server can be checked without one.
/// </summary>
public interface IClickHouseGateway
{
    /// <summary>Runs a statement that returns no rows.</summary>
    Task ExecuteAsync(ClickHouseStatement statement, CancellationToken cancellationToken);

    /// <summary>Runs a query and returns the first column of its first row, or null.</summary>
    Task<object?> ScalarAsync(ClickHouseStatement statement, CancellationToken cancellationToken);

    /// <summary>Runs a query and streams its rows through <paramref name="map"/>, one at a time.</summary>
    IAsyncEnumerable<T> QueryAsync<T>(ClickHouseStatement statement, Func<IDataRecord, T> map, CancellationToken cancellationToken);

    /// <summary>Inserts one batch in RowBinary.</summary>
    Task InsertAsync(ClickHouseInsert insert, CancellationToken cancellationToken);
}
