using Npgsql;
using NpgsqlTypes;
using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The PostgreSQL store's audit log: who asked for what, and what the guardrails answered.</summary>
internal sealed class PostgresAuditLog(PostgresStoreDatabase database) : IAuditLog
{
    private readonly PostgresStoreDatabase _database = database;

    public async Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            INSERT INTO {_database.Schema}.audit_entries (
                at, action, outcome, environment, service, job_id, team_id, user_id, channel_id, command_text, rule, detail)
            VALUES (@at, @action, @outcome, @environment, @service, @job_id, @team_id, @user_id, @channel_id, @command_text, @rule, @detail)
            RETURNING id
            """);
        var at = StorageTime.Normalize(entry.At);
        command.Parameters.Add(Instant("at", at));
        command.Parameters.Add(Text("action", entry.Action.ToWire()));
        command.Parameters.Add(Text("outcome", entry.Outcome.ToWire()));
        command.Parameters.Add(Text("environment", entry.Environment));
        command.Parameters.Add(Text("service", entry.Service));
        command.Parameters.Add(Text("job_id", entry.JobId));
        command.Parameters.Add(Text("team_id", entry.TeamId));
        command.Parameters.Add(Text("user_id", entry.UserId));
        command.Parameters.Add(Text("channel_id", entry.ChannelId));
        command.Parameters.Add(Text("command_text", entry.CommandText));
        command.Parameters.Add(Text("rule", entry.Rule));
        command.Parameters.Add(Text("detail", entry.Detail));
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return entry with { Id = id, At = at };
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await _database.ListAsync(
            $"SELECT {JobRows.AuditColumns} FROM {_database.Schema}.audit_entries", SqlWhere.For(query, '@'), "at DESC, id DESC", query.Limit,
            static reader => JobRows.ReadAudit(reader, static (row, ordinal) => row.GetFieldValue<DateTimeOffset>(ordinal)), cancellationToken);
    }
}
