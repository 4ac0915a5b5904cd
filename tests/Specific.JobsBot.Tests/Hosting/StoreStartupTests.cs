using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>
/// A store file that is not a database stops the real bot process with one line naming the file and the setting to
/// check, and exit code 1: no stack trace, no abort.
/// </summary>
public sealed class StoreStartupTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("store-startup-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string JobsPath => Path.Combine(_scratch, "jobs.db");

    private string LogsPath => Path.Combine(_scratch, "logs.db");

    [Fact]
    public async Task A_job_store_file_of_random_bytes_stops_the_start_with_exit_code_1_naming_the_file_and_Storage__SqlitePath()
    {
        await File.WriteAllBytesAsync(JobsPath, RandomBytes(8192), Ct);

        var exit = await StartAsync();

        AssertRefused(exit, JobsPath, "Storage__SqlitePath");
        Assert.Contains("not a SQLite database", exit.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_store_path_that_is_a_directory_stops_the_start_naming_it_and_Storage__SqlitePath()
    {
        Directory.CreateDirectory(JobsPath);

        var exit = await StartAsync();

        AssertRefused(exit, JobsPath, "Storage__SqlitePath");
        Assert.Contains("is a directory", exit.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_store_file_with_a_corrupted_header_stops_the_start_naming_the_file_and_Storage__LogsSqlitePath()
    {
        await WriteDatabaseWithCorruptedHeaderAsync(LogsPath);

        var exit = await StartAsync();

        AssertRefused(exit, LogsPath, "Storage__LogsSqlitePath");
        Assert.Contains("not a SQLite database", exit.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zero_length_job_store_file_is_a_new_database_and_the_bot_becomes_ready()
    {
        await File.WriteAllBytesAsync(JobsPath, [], Ct);

        await using var bot = await OpsApp.StartAsync(new Dictionary<string, string?> { ["Storage:SqlitePath"] = JobsPath });

        Assert.Equal(200, (await bot.ReadyAsync()).Status);
    }

    [Fact]
    public async Task A_PostgreSQL_that_nobody_listens_on_stops_the_start_with_one_line_naming_host_port_and_the_setting_but_not_the_password()
    {
        // Port 9 (discard) has no listener here, as for Kubernetes__Host below.
        var exit = await StartOnPostgresAsync("Host=127.0.0.1;Port=9;Username=jobsbot;Password=hunter2-not-shown;Database=jobsbot;Timeout=5");

        AssertRefused(exit, "127.0.0.1:9", "Storage__ConnectionString");
        Assert.Contains("cannot be reached", exit.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", exit.Printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_PostgreSQL_login_with_the_wrong_password_stops_the_start_saying_the_login_was_refused()
    {
        var server = new NpgsqlConnectionStringBuilder(TestPostgresOrSkip()) { Password = "wrong-" + Guid.NewGuid().ToString("N") };

        var exit = await StartOnPostgresAsync(server.ToString());

        AssertRefused(exit, $"user {server.Username}", "Storage__ConnectionString");
        Assert.Contains("refused the login", exit.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Password, exit.Printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_PostgreSQL_database_that_does_not_exist_stops_the_start_saying_to_create_it()
    {
        var missing = "jobsbot_missing_" + Guid.NewGuid().ToString("N")[..8];
        var server = new NpgsqlConnectionStringBuilder(TestPostgresOrSkip()) { Database = missing };

        var exit = await StartOnPostgresAsync(server.ToString());

        AssertRefused(exit, $"has no database {missing}", "Storage__ConnectionString");
    }

    private static string TestPostgresOrSkip()
    {
        const string variable = "JOBSBOT_TEST_POSTGRES";
        var server = Environment.GetEnvironmentVariable(variable);
        Assert.SkipWhen(string.IsNullOrEmpty(server), $"{variable} is not set: set it to a PostgreSQL connection string, for example "
            + "'Host=127.0.0.1;Username=jobsbot;Password=jobsbot;Database=jobsbot_test', to run the PostgreSQL start-up tests.");
        return server!;
    }

    private Task<BotProcessExit> StartOnPostgresAsync(string connectionString) => BotProcessRun.RunToExitAsync(
        new Dictionary<string, string>
        {
            ["Bot__Engine"] = "InProcess",
            ["Slack__SigningSecret"] = "store-startup-secret",
            ["Slack__BotToken"] = "xoxb-store-startup",
            ["Storage__Provider"] = "postgres",
            ["Storage__ConnectionString"] = connectionString,
            ["Kubernetes__Host"] = "http://127.0.0.1:9",
        },
        removed: ["Logs__Provider", "LOGS__PROVIDER"],
        Ct);

    private Task<BotProcessExit> StartAsync() => BotProcessRun.RunToExitAsync(
        new Dictionary<string, string>
        {
            ["Bot__Engine"] = "InProcess",
            ["Slack__SigningSecret"] = "store-startup-secret",
            ["Slack__BotToken"] = "xoxb-store-startup",
            ["Storage__Provider"] = "sqlite",
            ["Storage__SqlitePath"] = JobsPath,
            // Nothing listens there: the catalog warm-up would only log.
            ["Kubernetes__Host"] = "http://127.0.0.1:9",
        },
        removed: ["Storage__LogsSqlitePath", "STORAGE__LOGSSQLITEPATH", "Logs__Provider", "LOGS__PROVIDER"],
        Ct);

    private static void AssertRefused(BotProcessExit exit, string file, string setting)
    {
        Assert.Equal(1, exit.ExitCode);
        Assert.StartsWith("The bot cannot start", exit.StandardError, StringComparison.Ordinal);
        Assert.Contains(file, exit.StandardError, StringComparison.Ordinal);
        Assert.Contains(setting, exit.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", exit.Printed, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", exit.Printed, StringComparison.Ordinal);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A real SQLite file with a table, whose 16-byte magic header is then overwritten, as a bad disk or copy leaves it.</summary>
    private static async Task WriteDatabaseWithCorruptedHeaderAsync(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false };
        await using (var connection = new SqliteConnection(builder.ToString()))
        {
            await connection.OpenAsync(Ct);
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE kept (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO kept (text) VALUES ('a line');";
            await create.ExecuteNonQueryAsync(Ct);
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        await file.WriteAsync(Encoding.ASCII.GetBytes("not a db header!"), Ct);
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
