using System.Data;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Specific.Jobs.Logs.ClickHouse;

namespace Specific.Jobs.Tests.Logs.ClickHouse;

/// <summary>Records what a store would send to ClickHouse and answers with canned rows, so no server is needed.</summary>
internal sealed partial class RecordingClickHouseGateway : IClickHouseGateway
{
    public List<ClickHouseStatement> Statements { get; } = [];

    public List<ClickHouseInsert> Inserts { get; } = [];

    /// <summary>The rows a query answers with (each row's columns in the query's order); none by default.</summary>
    public Func<ClickHouseStatement, IEnumerable<object[]>> Rows { get; set; } = _ => [];

    /// <summary>The value a scalar query answers with; null by default.</summary>
    public Func<ClickHouseStatement, object?> Scalar { get; set; } = _ => null;

    public Task ExecuteAsync(ClickHouseStatement statement, CancellationToken cancellationToken)
    {
        Statements.Add(statement);
        return Task.CompletedTask;
    }

    public Task<object?> ScalarAsync(ClickHouseStatement statement, CancellationToken cancellationToken)
    {
        Statements.Add(statement);
        return Task.FromResult(Scalar(statement));
    }

    public async IAsyncEnumerable<T> QueryAsync<T>(
        ClickHouseStatement statement, Func<IDataRecord, T> map, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Statements.Add(statement);
        var rows = Rows(statement).ToList();
        if (rows.Count == 0)
        {
            yield break;
        }

        using var table = new DataTable();
        for (var i = 0; i < rows[0].Length; i++)
        {
            table.Columns.Add($"c{i}", typeof(object));
        }

        foreach (var row in rows)
        {
            table.Rows.Add(row);
        }

        using var reader = table.CreateDataReader();
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return map(reader);
        }
    }

    public Task InsertAsync(ClickHouseInsert insert, CancellationToken cancellationToken)
    {
        Inserts.Add(insert);
        return Task.CompletedTask;
    }

    /// <summary>The <c>{name:Type}</c> placeholders of a statement's SQL, by name.</summary>
    public static Dictionary<string, string> PlaceholdersOf(string sql) =>
        Placeholder().Matches(sql).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value, StringComparer.Ordinal);

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*):(?<type>[^{}]+)\}")]
    private static partial Regex Placeholder();
}
