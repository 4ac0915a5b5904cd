using System.Data;
using System.Runtime.CompilerServices;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;

namespace Specific.Jobs.Logs.ClickHouse;

/// <summary>The log stores' ClickHouse calls over HTTP with ClickHouse.Driver: server-side parameters, binary inserts.</summary>
public sealed class ClickHouseDriverGateway(IClickHouseClient client) : IClickHouseGateway
{
    public async Task ExecuteAsync(ClickHouseStatement statement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);
        await client.ExecuteNonQueryAsync(statement.Sql, ParametersOf(statement), options: null, cancellationToken);
    }

    public async Task<object?> ScalarAsync(ClickHouseStatement statement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var value = await client.ExecuteScalarAsync(statement.Sql, ParametersOf(statement), options: null, cancellationToken);
        return value is DBNull ? null : value;
    }

    public async IAsyncEnumerable<T> QueryAsync<T>(
        ClickHouseStatement statement, Func<IDataRecord, T> map, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(map);
        using var reader = await client.ExecuteReaderAsync(statement.Sql, ParametersOf(statement), options: null, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return map(reader);
        }
    }

    public async Task InsertAsync(ClickHouseInsert insert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(insert);
        var options = new InsertOptions
        {
            // The store already cut the batch; one request per batch keeps a batch all-or-nothing.
            BatchSize = Math.Max(1, insert.Rows.Count),
            MaxDegreeOfParallelism = 1,
            ColumnTypes = insert.ColumnTypes,
        };
        await client.InsertBinaryAsync(insert.Table, insert.Columns, insert.Rows, options, cancellationToken);
    }

    private static ClickHouseParameterCollection ParametersOf(ClickHouseStatement statement)
    {
        var parameters = new ClickHouseParameterCollection();
        foreach (var (name, value) in statement.Parameters)
        {
            parameters.AddParameter(name, value);
        }

        return parameters;
    }
}
