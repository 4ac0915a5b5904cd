using Npgsql;
using NpgsqlTypes;
using static Specific.Jobs.Storage.PostgresStoreDatabase;

namespace Specific.Jobs.Storage;

/// <summary>The PostgreSQL store's runs waiting for approval: one row each, every decision a compare-and-set on its state.</summary>
internal sealed class PostgresApprovals(PostgresStoreDatabase database) : IApprovalStore
{
    private const string Columns = ApprovalWire.Columns;

    private readonly PostgresStoreDatabase _database = database;

    public async Task<PendingApproval> CreateApprovalAsync(PendingApproval approval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approval);
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            INSERT INTO {_database.Schema}.approvals (
                id, state, service, environment, requester_id, request, reply_response_url, reply_channel_id, reply_user_id,
                rule, message_channel_id, message_ts, created_at, expires_at, version)
            VALUES (
                @id, 'waiting', @service, @environment, @requester, @request, @response_url, @reply_channel, @reply_user,
                @rule, @message_channel, @message_ts, @created_at, @expires_at, 1)
            RETURNING {Columns}
            """);
        command.Parameters.Add(Text("id", approval.Id));
        command.Parameters.Add(Text("service", approval.Request.Service));
        command.Parameters.Add(Text("environment", approval.Request.Environment));
        command.Parameters.Add(Text("requester", approval.RequesterId));
        command.Parameters.Add(Text("request", ApprovalWire.RequestJson(approval.Request)));
        command.Parameters.Add(Text("response_url", approval.ReplyTo.ResponseUrl));
        command.Parameters.Add(Text("reply_channel", approval.ReplyTo.ChannelId));
        command.Parameters.Add(Text("reply_user", approval.ReplyTo.UserId));
        command.Parameters.Add(Text("rule", approval.Rule));
        command.Parameters.Add(Text("message_channel", approval.MessageChannelId));
        command.Parameters.Add(Text("message_ts", approval.MessageTs));
        command.Parameters.Add(Instant("created_at", StorageTime.Normalize(approval.CreatedAt)));
        command.Parameters.Add(Instant("expires_at", StorageTime.Normalize(approval.ExpiresAt)));
        return (await ReadAsync(command, cancellationToken))[0];
    }

    public async Task<PendingApproval?> GetApprovalAsync(string approvalId, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"SELECT {Columns} FROM {_database.Schema}.approvals WHERE id = @id");
        command.Parameters.Add(Text("id", approvalId));
        var found = await ReadAsync(command, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public async Task SetApprovalMessageAsync(string approvalId, string channelId, string messageTs, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand(
            $"UPDATE {_database.Schema}.approvals SET message_channel_id = @channel, message_ts = @ts, version = version + 1 WHERE id = @id");
        command.Parameters.Add(Text("id", approvalId));
        command.Parameters.Add(Text("channel", channelId));
        command.Parameters.Add(Text("ts", messageTs));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ApprovalDecision> TryDecideApprovalAsync(
        string approvalId, ApprovalState to, string decidedBy, DateTimeOffset at, string? jobId, CancellationToken cancellationToken)
    {
        if (to == ApprovalState.Waiting)
        {
            throw new ArgumentOutOfRangeException(nameof(to), to, "A decision moves an approval out of waiting.");
        }

        await _database.InitializeAsync(cancellationToken);
        // One statement: the state, who decided and the job id are written together or not at all.
        await using var command = _database.DataSource.CreateCommand($"""
            UPDATE {_database.Schema}.approvals SET state = @to, decided_by = @by, decided_at = @at, job_id = @job, version = version + 1
            WHERE id = @id AND state = 'waiting'
            RETURNING {Columns}
            """);
        command.Parameters.Add(Text("id", approvalId));
        command.Parameters.Add(Text("to", to.ToWire()));
        command.Parameters.Add(Text("by", decidedBy));
        command.Parameters.Add(Instant("at", StorageTime.Normalize(at)));
        command.Parameters.Add(Text("job", jobId));
        var decided = await ReadAsync(command, cancellationToken);
        return decided.Count == 1
            ? new ApprovalDecision(true, decided[0])
            : new ApprovalDecision(false, await GetApprovalAsync(approvalId, cancellationToken));
    }

    public async Task MarkApprovalSettledAsync(string approvalId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            UPDATE {_database.Schema}.approvals SET settled_at = @at, version = version + 1
            WHERE id = @id AND state <> 'waiting' AND settled_at IS NULL
            """);
        command.Parameters.Add(Text("id", approvalId));
        command.Parameters.Add(Instant("at", StorageTime.Normalize(at)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<IReadOnlyList<PendingApproval>> ListExpiredApprovalsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ListAsync("state = 'waiting' AND expires_at <= @at", "expires_at, id", now, limit, cancellationToken);

    public Task<IReadOnlyList<PendingApproval>> ListUnsettledApprovalsAsync(DateTimeOffset decidedBefore, int limit, CancellationToken cancellationToken) =>
        ListAsync("state <> 'waiting' AND settled_at IS NULL AND decided_at <= @at", "decided_at, id", decidedBefore, limit, cancellationToken);

    public async Task<int> DeleteSettledApprovalsAsync(DateTimeOffset decidedBefore, int limit, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand($"""
            DELETE FROM {_database.Schema}.approvals WHERE id IN (
                SELECT id FROM {_database.Schema}.approvals WHERE settled_at IS NOT NULL AND decided_at < @cutoff
                ORDER BY decided_at, id LIMIT @limit FOR UPDATE SKIP LOCKED)
            """);
        command.Parameters.Add(Instant("cutoff", StorageTime.Normalize(decidedBefore)));
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = Math.Max(1, limit) });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<PendingApproval>> ListAsync(
        string where, string orderBy, DateTimeOffset at, int limit, CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken);
        await using var command = _database.DataSource.CreateCommand(
            $"SELECT {Columns} FROM {_database.Schema}.approvals WHERE {where} ORDER BY {orderBy} LIMIT @limit");
        command.Parameters.Add(Instant("at", StorageTime.Normalize(at)));
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = JobRules.ClampLimit(limit) });
        return await ReadAsync(command, cancellationToken);
    }

    private static async Task<List<PendingApproval>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<PendingApproval>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ApprovalWire.Read(reader, static (row, ordinal) => row.GetFieldValue<DateTimeOffset>(ordinal)));
        }

        return rows;
    }
}
