using Microsoft.Data.Sqlite;
using Specific.Jobs.Domain;
using static Specific.Jobs.Storage.SqliteStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The SQLite store's runs waiting for approval: one row each, every decision a compare-and-set on its state.</summary>
internal sealed class SqliteApprovals(SqliteStoreDatabase store) : IApprovalStore
{
    private const string Columns = ApprovalWire.Columns;

    private readonly SqliteStoreDatabase _store = store;

    public async Task<PendingApproval> CreateApprovalAsync(PendingApproval approval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approval);
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO approvals (
                id, state, service, environment, requester_id, request, reply_response_url, reply_channel_id, reply_user_id,
                rule, message_channel_id, message_ts, created_at, expires_at, version)
            VALUES (
                $id, 'waiting', $service, $environment, $requester, $request, $response_url, $reply_channel, $reply_user,
                $rule, $message_channel, $message_ts, $created_at, $expires_at, 1)
            RETURNING {Columns}
            """;
        Add(command, "$id", approval.Id);
        Add(command, "$service", approval.Request.Service);
        Add(command, "$environment", approval.Request.Environment);
        Add(command, "$requester", approval.RequesterId);
        Add(command, "$request", ApprovalWire.RequestJson(approval.Request));
        Add(command, "$response_url", approval.ReplyTo.ResponseUrl);
        Add(command, "$reply_channel", approval.ReplyTo.ChannelId);
        Add(command, "$reply_user", approval.ReplyTo.UserId);
        Add(command, "$rule", approval.Rule);
        Add(command, "$message_channel", approval.MessageChannelId);
        Add(command, "$message_ts", approval.MessageTs);
        Add(command, "$created_at", Micros(approval.CreatedAt));
        Add(command, "$expires_at", Micros(approval.ExpiresAt));
        return (await ReadAsync(command, cancellationToken))[0];
    }

    public async Task<PendingApproval?> GetApprovalAsync(string approvalId, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        return await GetAsync(connection, approvalId, cancellationToken);
    }

    public async Task SetApprovalMessageAsync(string approvalId, string channelId, string messageTs, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE approvals SET message_channel_id = $channel, message_ts = $ts, version = version + 1 WHERE id = $id";
        Add(command, "$id", approvalId);
        Add(command, "$channel", channelId);
        Add(command, "$ts", messageTs);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ApprovalDecision> TryDecideApprovalAsync(
        string approvalId, ApprovalState to, string decidedBy, DateTimeOffset at, string? jobId, CancellationToken cancellationToken)
    {
        if (to == ApprovalState.Waiting)
        {
            throw new ArgumentOutOfRangeException(nameof(to), to, "A decision moves an approval out of waiting.");
        }

        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // One statement: the state, who decided and the job id are written together or not at all.
        command.CommandText = $"""
            UPDATE approvals SET state = $to, decided_by = $by, decided_at = $at, job_id = $job, version = version + 1
            WHERE id = $id AND state = 'waiting'
            RETURNING {Columns}
            """;
        Add(command, "$id", approvalId);
        Add(command, "$to", to.ToWire());
        Add(command, "$by", decidedBy);
        Add(command, "$at", Micros(at));
        Add(command, "$job", jobId);
        var decided = await ReadAsync(command, cancellationToken);
        return decided.Count == 1
            ? new ApprovalDecision(true, decided[0])
            : new ApprovalDecision(false, await GetAsync(connection, approvalId, cancellationToken));
    }

    public async Task MarkApprovalSettledAsync(string approvalId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE approvals SET settled_at = $at, version = version + 1
            WHERE id = $id AND state <> 'waiting' AND settled_at IS NULL
            """;
        Add(command, "$id", approvalId);
        Add(command, "$at", Micros(at));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<IReadOnlyList<PendingApproval>> ListExpiredApprovalsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ListAsync("state = 'waiting' AND expires_at <= $at", "expires_at, id", now, limit, cancellationToken);

    public Task<IReadOnlyList<PendingApproval>> ListUnsettledApprovalsAsync(DateTimeOffset decidedBefore, int limit, CancellationToken cancellationToken) =>
        ListAsync("state <> 'waiting' AND settled_at IS NULL AND decided_at <= $at", "decided_at, id", decidedBefore, limit, cancellationToken);

    public async Task<int> DeleteSettledApprovalsAsync(DateTimeOffset decidedBefore, int limit, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM approvals WHERE id IN (
                SELECT id FROM approvals WHERE settled_at IS NOT NULL AND decided_at < $cutoff ORDER BY decided_at, id LIMIT $limit)
            """;
        Add(command, "$cutoff", Micros(decidedBefore));
        Add(command, "$limit", Math.Max(1, limit));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<PendingApproval>> ListAsync(
        string where, string orderBy, DateTimeOffset at, int limit, CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken);
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM approvals WHERE {where} ORDER BY {orderBy} LIMIT $limit";
        Add(command, "$at", Micros(at));
        Add(command, "$limit", JobRules.ClampLimit(limit));
        return await ReadAsync(command, cancellationToken);
    }

    private static async Task<PendingApproval?> GetAsync(SqliteConnection connection, string approvalId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM approvals WHERE id = $id";
        Add(command, "$id", approvalId);
        var found = await ReadAsync(command, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    private static async Task<List<PendingApproval>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<PendingApproval>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ApprovalWire.Read(reader, static (row, ordinal) => StorageTime.FromUnixMicroseconds(row.GetInt64(ordinal))));
        }

        return rows;
    }

    private static long Micros(DateTimeOffset at) => StorageTime.ToUnixMicroseconds(StorageTime.Normalize(at));
}
