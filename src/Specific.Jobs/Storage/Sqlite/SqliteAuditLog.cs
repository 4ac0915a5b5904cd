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
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = SqlWhere.For(query, '$');
        foreach (var (name, value) in where.Parameters)
        {
            Add(command, "$" + name, value);
        }

        command.CommandText = $"SELECT {JobRows.AuditColumns} FROM audit_entries {where.Clause} ORDER BY at DESC, id DESC LIMIT $limit";
        Add(command, "$limit", JobRules.ClampLimit(query.Limit));
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(JobRows.ReadAudit(reader, static (row, ordinal) => StorageTime.FromUnixMicroseconds(row.GetInt64(ordinal))));
        }

        return entries;
    }
}
