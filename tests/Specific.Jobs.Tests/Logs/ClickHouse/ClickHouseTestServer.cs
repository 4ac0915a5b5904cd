using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using Specific.Jobs.Logs.ClickHouse;

namespace Specific.Jobs.Tests.Logs.ClickHouse;

/// <summary>
/// The ClickHouse server named by CLICKHOUSE_URL (e.g. <c>http://default:@127.0.0.1:8123</c>), with a fresh database per
/// test so tests never see each other's rows. No server can run on the development machines (Debian's is too old).
/// </summary>
public sealed class ClickHouseTestServer : IDisposable
{
    public const string Variable = "CLICKHOUSE_URL";

    private readonly ClickHouseClient _server;
    private readonly List<ClickHouseClient> _clients = [];

    private ClickHouseTestServer(Uri url, string database)
    {
        Database = database;
        ServerSettings = ClickHouseUrl.ToSettings(url, "default");
        _server = new ClickHouseClient(ServerSettings);
    }

    public string Database { get; }

    private ClickHouseClientSettings ServerSettings { get; }

    /// <summary>A fresh database on the test server, or a skip saying how to run the test.</summary>
    public static async Task<ClickHouseTestServer> CreateOrSkipAsync(CancellationToken cancellationToken)
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(value))
        {
            Assert.Skip($"{Variable} is not set: start ClickHouse 24.x or newer elsewhere (see the README: `docker run -d -p 8123:8123 "
                + "-e CLICKHOUSE_SKIP_USER_SETUP=1 clickhouse/clickhouse-server:25.8`) and set it to its HTTP URL, e.g. "
                + "http://127.0.0.1:8123, to run the ClickHouse log store tests.");
        }

        var server = new ClickHouseTestServer(new Uri(value), "jobs_test_" + Guid.NewGuid().ToString("N")[..12]);
        await server._server.ExecuteNonQueryAsync($"CREATE DATABASE {server.Database}", null, null, cancellationToken);
        return server;
    }

    /// <summary>A client on this test's database, as another replica would have.</summary>
    public ClickHouseClient NewClient()
    {
        var client = new ClickHouseClient(new ClickHouseClientSettings(ServerSettings) { Database = Database });
        _clients.Add(client);
        return client;
    }

    public void Dispose()
    {
        try
        {
            _server.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {Database}", null, null, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            _server.Dispose();
        }
    }
}
