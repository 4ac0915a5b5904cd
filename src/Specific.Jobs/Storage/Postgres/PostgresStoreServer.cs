using Npgsql;

namespace Specific.Jobs.Storage;

/// <summary>
/// The PostgreSQL server a store uses, as an operator knows it (which store, where, as whom, and the setting that names
/// it), and what to tell them when the bot cannot use it at start-up. Never names the password.
/// </summary>
public sealed record PostgresStoreServer(string Store, string Host, int Port, string Database, string User, string Setting)
{
    // SQLSTATEs PostgreSQL answers a login or a migration with (https://www.postgresql.org/docs/current/errcodes-appendix.html).
    private const string InvalidPassword = "28P01";
    private const string InvalidAuthorization = "28000";
    private const string InvalidCatalogName = "3D000";
    private const string InsufficientPrivilege = "42501";

    /// <summary>The job store's server: Storage__ConnectionString.</summary>
    public static PostgresStoreServer JobStore(string connectionString) => Of("job store", connectionString);

    /// <summary>The log store's server, which shares the job store's connection string.</summary>
    public static PostgresStoreServer LogStore(string connectionString) => Of("log store", connectionString);

    private static PostgresStoreServer Of(string store, string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var user = builder.Username ?? Environment.UserName;
        return new PostgresStoreServer(store, builder.Host ?? "localhost", builder.Port, builder.Database ?? user, user, "Storage__ConnectionString");
    }

    private string Where => $"{Host}:{Port}, database {Database}, user {User}";

    /// <summary>Why the server could not be used at start-up, and what to do: one line.</summary>
    public string Unusable(NpgsqlException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            PostgresException { SqlState: InvalidPassword or InvalidAuthorization } refused =>
                $"the {Store}'s PostgreSQL ({Where}) refused the login ({refused.MessageText}). Check the user and password in {Setting}, or the Secret it comes from.",
            PostgresException { SqlState: InvalidCatalogName } =>
                $"the {Store}'s PostgreSQL ({Where}) has no database {Database}. Create it (the bot creates its own tables), or fix Database= in {Setting}.",
            PostgresException { SqlState: InsufficientPrivilege } denied =>
                $"the {Store}'s PostgreSQL ({Where}) does not let user {User} create the bot's tables ({denied.MessageText}). Grant it CREATE on the database and on the schema its Search Path names, or check {Setting}.",
            PostgresException other =>
                $"the {Store}'s PostgreSQL ({Where}) answered {other.SqlState}: {other.MessageText}. Check {Setting} and the server's log.",
            _ =>
                $"the {Store}'s PostgreSQL ({Where}) cannot be reached ({Reason(exception)}). Check Host and Port in {Setting}, that the server is up, " +
                "and that the bot's network may reach it; Kubernetes restarts the bot, which tries again.",
        };
    }

    private static string Reason(Exception exception) =>
        exception.InnerException is { } inner ? $"{exception.Message}: {inner.Message}" : exception.Message;
}
