using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>Where a run waiting for approval stands; every state but <see cref="Waiting"/> is final.</summary>
public enum ApprovalState
{
    Waiting,
    Approved,
    Denied,
    Withdrawn,
    Expired,
}

/// <summary>Where the requester is answered: Slack's response_url, the channel, and the person.</summary>
public sealed record ApprovalReplyRoute(string? ResponseUrl, string? ChannelId, string UserId);

/// <summary>
/// A run that waits for a second person (four-eyes approval), as the store keeps it: the whole request, so the job can
/// start after a restart; where the approval message is; and what was decided, by whom, and which job that started.
/// </summary>
public sealed record PendingApproval
{
    /// <summary>An id such as <c>a-7k2m9x4q</c>; the buttons of the approval message carry it.</summary>
    public required string Id { get; init; }

    public required ApprovalState State { get; init; }

    /// <summary>The run as it will start: service, environment, command, name, time limit, origin, run-alone flag.</summary>
    public required JobRequest Request { get; init; }

    public required string RequesterId { get; init; }

    public required ApprovalReplyRoute ReplyTo { get; init; }

    /// <summary>The policy entry that asks for the approval, for the audit trail and the refusals.</summary>
    public required string Rule { get; init; }

    /// <summary>The approval message, once posted.</summary>
    public string? MessageChannelId { get; init; }

    public string? MessageTs { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Who approved, denied or withdrew it; "expiry" when it ran out of time.</summary>
    public string? DecidedBy { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>The job an approval starts: chosen in the same write that marks it approved.</summary>
    public string? JobId { get; init; }

    /// <summary>When everything the decision asks for was done (the job recorded and started, the message updated, the requester told).</summary>
    public DateTimeOffset? SettledAt { get; init; }

    /// <summary>Bumped on every write.</summary>
    public required long Version { get; init; }
}

/// <summary>The outcome of a compare-and-set decision.</summary>
/// <param name="Applied">True when this call moved the approval out of waiting.</param>
/// <param name="Approval">The approval as it is now (decided by this call, or as another decision left it); null when there is none.</param>
public sealed record ApprovalDecision(bool Applied, PendingApproval? Approval);

/// <summary>
/// Runs waiting for approval. Every decision is a compare-and-set from <see cref="ApprovalState.Waiting"/>: of two
/// approvers, an approval racing its expiry or its withdrawal, exactly one wins. Both job stores implement it.
/// </summary>
public interface IApprovalStore
{
    /// <summary>Records a new waiting approval (its id given) and returns it at version 1.</summary>
    Task<PendingApproval> CreateApprovalAsync(PendingApproval approval, CancellationToken cancellationToken);

    Task<PendingApproval?> GetApprovalAsync(string approvalId, CancellationToken cancellationToken);

    /// <summary>Saves where the approval message was posted.</summary>
    Task SetApprovalMessageAsync(string approvalId, string channelId, string messageTs, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a waiting approval to <paramref name="to"/> if it is still waiting. <paramref name="jobId"/> (for an
    /// approval) is written in the same statement, so a crash after it cannot lose the job nor record it twice.
    /// </summary>
    Task<ApprovalDecision> TryDecideApprovalAsync(
        string approvalId, ApprovalState to, string decidedBy, DateTimeOffset at, string? jobId, CancellationToken cancellationToken);

    /// <summary>Marks a decided approval's aftermath done; a later call changes nothing.</summary>
    Task MarkApprovalSettledAsync(string approvalId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Waiting approvals whose time ran out at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<PendingApproval>> ListExpiredApprovalsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Decided approvals decided at or before <paramref name="decidedBefore"/> whose aftermath is not done, oldest first.</summary>
    Task<IReadOnlyList<PendingApproval>> ListUnsettledApprovalsAsync(DateTimeOffset decidedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="limit"/> settled requests decided before <paramref name="decidedBefore"/> (the
    /// audit trail keeps what happened); a waiting or unsettled one is never deleted. Returns how many went.
    /// </summary>
    Task<int> DeleteSettledApprovalsAsync(DateTimeOffset decidedBefore, int limit, CancellationToken cancellationToken);
}

/// <summary>The wire names of approval states and ids, as both stores keep them.</summary>
public static class ApprovalWire
{
    /// <summary>The decider recorded when a request runs out of time.</summary>
    public const string Expiry = "expiry";

    public static string ToWire(this ApprovalState state) => state switch
    {
        ApprovalState.Waiting => "waiting",
        ApprovalState.Approved => "approved",
        ApprovalState.Denied => "denied",
        ApprovalState.Withdrawn => "withdrawn",
        ApprovalState.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static ApprovalState StateFromWire(string wire) =>
        Enum.GetValues<ApprovalState>().FirstOrDefault(s => s.ToWire() == wire, (ApprovalState)(-1)) is var found && Enum.IsDefined(found)
            ? found
            : throw new FormatException($"'{wire}' is not an approval state.");

    /// <summary>A new approval id such as <c>a-7k2m9x4q</c>.</summary>
    public static string NewId() => "a-" + JobIds.New()[2..];

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>The request column's value.</summary>
    public static string RequestJson(JobRequest request) => System.Text.Json.JsonSerializer.Serialize(request, Json);

    public static JobRequest RequestFromJson(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<JobRequest>(json, Json) ?? throw new FormatException("An approval's request is empty.");

    /// <summary>The approval columns, in the order <see cref="Read"/> reads them.</summary>
    internal const string Columns = """
        id, state, requester_id, request, reply_response_url, reply_channel_id, reply_user_id, rule, message_channel_id,
        message_ts, created_at, expires_at, decided_by, decided_at, job_id, settled_at, version
        """;

    internal static PendingApproval Read(System.Data.Common.DbDataReader reader, Func<System.Data.Common.DbDataReader, int, DateTimeOffset> instant)
    {
        string? Text(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
        DateTimeOffset? Optional(int ordinal) => reader.IsDBNull(ordinal) ? null : instant(reader, ordinal);
        return new PendingApproval
        {
            Id = reader.GetString(0),
            State = StateFromWire(reader.GetString(1)),
            RequesterId = reader.GetString(2),
            Request = RequestFromJson(reader.GetString(3)),
            ReplyTo = new ApprovalReplyRoute(Text(4), Text(5), reader.GetString(6)),
            Rule = reader.GetString(7),
            MessageChannelId = Text(8),
            MessageTs = Text(9),
            CreatedAt = instant(reader, 10),
            ExpiresAt = instant(reader, 11),
            DecidedBy = Text(12),
            DecidedAt = Optional(13),
            JobId = Text(14),
            SettledAt = Optional(15),
            Version = reader.GetInt64(16),
        };
    }
}
