using Npgsql;

namespace Specific.Jobs.Tests.Storage;

/// <summary>
/// The PostgreSQL named by JOBSBOT_TEST_POSTGRES, with a fresh schema per test so tests never see each other's rows.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "JOBSBOT_TEST_POSTGRES";

    private readonly List<NpgsqlDataSource> _dataSources = [];

    private PostgresTestDatabase(string serverConnectionString, string schema)
    {
        ServerConnectionString = serverConnectionString;
        Schema = schema;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { SearchPath = schema }.ToString();
    }

    public static string? ServerConnectionStringOrNull => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public string ServerConnectionString { get; }

    public string Schema { get; }

    /// <summary>The connection string whose Search Path is this test's schema.</summary>
    public string ConnectionString { get; }

    /// <summary>A fresh schema on the test server, or a skip saying how to run the test.</summary>
    public static PostgresTestDatabase CreateOrSkip()
    {
        var server = ServerConnectionStringOrNull;
        if (server is null)
        {
            Assert.Skip($"{Variable} is not set: set it to a PostgreSQL connection string, for example "
                + "'Host=127.0.0.1;Username=jobsbot;Password=jobsbot;Database=jobsbot_test', to run the PostgreSQL tests.");
        }

        return new PostgresTestDatabase(server, "jobs_test_" + Guid.NewGuid().ToString("N")[..12]);
    }

    /// <summary>A data source of its own, as another replica would have; disposed with the database.</summary>
    public NpgsqlDataSource NewDataSource()
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        _dataSources.Add(dataSource);
        return dataSource;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(ServerConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(ServerConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
    }
}
