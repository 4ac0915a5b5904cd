using static Specific.Jobs.Storage.SqliteStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The SQLite store's audit log: who asked for what, and what the guardrails answered.</summary>
internal sealed class SqliteAuditLog(SqliteStoreDatabase store) : IAuditLog
{
    private readonly SqliteStoreDatabase _store = store;

    public async Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audit_entries (
                at, action, outcome, environment, service, job_id, team_id, user_id, channel_id, command_text, rule, detail)
            VALUES ($at, $action, $outcome, $environment, $service, $job_id, $team_id, $user_id, $channel_id, $command_text, $rule, $detail)
            RETURNING id
            """;
        var at = StorageTime.Normalize(entry.At);
        Add(command, "$at", StorageTime.ToUnixMicroseconds(at));
        Add(command, "$action", entry.Action.ToWire());
        Add(command, "$outcome", entry.Outcome.ToWire());
        Add(command, "$environment", entry.Environment);
        Add(command, "$service", entry.Service);
        Add(command, "$job_id", entry.JobId);
        Add(command, "$team_id", entry.TeamId);
        Add(command, "$user_id", entry.UserId);
        Add(command, "$channel_id", entry.ChannelId);
        Add(command, "$command_text", entry.CommandText);
        Add(command, "$rule", entry.Rule);
        Add(command, "$detail", entry.Detail);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return entry with { Id = id, At = at };
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await _store.ListAsync(
            $"SELECT {JobRows.AuditColumns} FROM audit_entries", SqlWhere.For(query, '$'), "at DESC, id DESC", query.Limit,
            static reader => JobRows.ReadAudit(reader, static (row, ordinal) => StorageTime.FromUnixMicroseconds(row.GetInt64(ordinal))), cancellationToken);
    }
}
