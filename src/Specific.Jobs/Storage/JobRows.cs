using System.Data.Common;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Storage;

/// <summary>
/// Reads job and thread rows for both stores; they select the same columns in the same order and differ only in how
/// an instant and the notes are stored, which each store passes in.
/// </summary>
internal static class JobRows
{
    /// <summary>The job columns, in the order <see cref="ReadJob"/> reads them.</summary>
    public const string JobColumns = """
        id, service, environment, command, name, origin_client, origin_team_id, origin_channel_id, origin_user_id,
        origin_user_name, rerun_of, state, version, created_at, queued_at, running_at, finished_at, exit_code,
        failure_reason, kubernetes_job_name, namespace, image, notes, cancel_requested_at, cancel_requested_by,
        create_requested_at, timeout_seconds, approved_by, task
        """;

    public static JobRecord ReadJob(
        DbDataReader reader, Func<DbDataReader, int, DateTimeOffset> instant, Func<DbDataReader, int, string[]> notes)
    {
        string? Text(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
        DateTimeOffset? Optional(int ordinal) => reader.IsDBNull(ordinal) ? null : instant(reader, ordinal);
        return new JobRecord
        {
            Id = reader.GetString(0),
            Service = reader.GetString(1),
            Environment = reader.GetString(2),
            Command = reader.GetString(3),
            Name = Text(4),
            Origin = new JobOrigin(reader.GetString(5), Text(6), Text(7), Text(8), Text(9)),
            RerunOf = Text(10),
            State = JobLifecycle.FromWire(reader.GetString(11)),
            Version = reader.GetInt64(12),
            CreatedAt = instant(reader, 13),
            QueuedAt = Optional(14),
            RunningAt = Optional(15),
            FinishedAt = Optional(16),
            ExitCode = reader.IsDBNull(17) ? null : reader.GetInt32(17),
            FailureReason = Text(18),
            KubernetesJobName = Text(19),
            Namespace = Text(20),
            Image = Text(21),
            Notes = notes(reader, 22),
            CancelRequestedAt = Optional(23),
            CancelRequestedBy = Text(24),
            CreateRequestedAt = Optional(25),
            // Null for a job recorded before time limits existed: no limit was recorded, none is made up.
            Timeout = reader.IsDBNull(26) ? null : TimeSpan.FromSeconds(reader.GetInt64(26)),
            ApprovedBy = Text(27),
            Task = Text(28),
        };
    }

    /// <summary>The timeout_seconds column's value: the job's time limit in whole seconds, or null for none.</summary>
    public static long? TimeoutSeconds(JobRequest request) =>
        request.Timeout is { } limit ? JobTimeouts.ToSeconds(limit) : null;

    /// <summary>The thread columns, in the order <see cref="ReadThread"/> reads them.</summary>
    public const string ThreadColumns =
        "job_id, channel_id, message_ts, rendered_version, posted_state, posted_log_line, final_posted, pending_post";

    private static readonly System.Text.Json.JsonSerializerOptions IntentJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    public static JobThread ReadThread(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.GetInt64(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetInt64(5),
        reader.GetBoolean(6))
    {
        Pending = reader.IsDBNull(7) ? null : System.Text.Json.JsonSerializer.Deserialize<ThreadPostIntent>(reader.GetString(7), IntentJson),
    };

    /// <summary>The pending_post column's value: the intent as JSON, or null.</summary>
    public static string? PendingPost(JobThread thread) =>
        thread.Pending is { } pending ? System.Text.Json.JsonSerializer.Serialize(pending, IntentJson) : null;

    /// <summary>The audit columns, in the order <see cref="ReadAudit"/> reads them.</summary>
    public const string AuditColumns = """
        id, at, action, outcome, environment, service, job_id, team_id, user_id, channel_id, command_text, rule, detail
        """;

    public static AuditEntry ReadAudit(DbDataReader reader, Func<DbDataReader, int, DateTimeOffset> instant)
    {
        string? Text(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
        return new AuditEntry(
            reader.GetInt64(0),
            instant(reader, 1),
            AuditWire.ActionFromWire(reader.GetString(2)),
            AuditWire.OutcomeFromWire(reader.GetString(3)),
            reader.GetString(4),
            Text(5), Text(6), Text(7), Text(8), Text(9), Text(10), Text(11), Text(12));
    }
}
