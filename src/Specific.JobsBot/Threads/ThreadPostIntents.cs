using System.Text.Json;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.Slack.BlockKit;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Threads;

/// <summary>
/// How a thread reply goes out exactly once although Slack's chat.postMessage has no idempotency key: the cursor is saved
/// with the reply's intent before it is posted (a store that cannot be written stops the post), the reply carries the
/// intent's marker as message metadata, and a writer that finds an intent it cannot vouch for looks for the marker in
/// the thread (conversations.replies) before posting anything again.
/// </summary>
internal static class ThreadPostIntents
{
    /// <summary>The metadata event type of the keeper's replies.</summary>
    public const string EventType = "specific_jobs_thread_post";

    private const string JobIdKey = "job_id";
    private const string MarkerKey = "post";

    /// <summary>How long before its intent a reply is looked for: Slack's clock and ours may differ a little.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>The intent of a reply that, once out, leaves the cursor at <paramref name="after"/>.</summary>
    public static ThreadPostIntent Reply(JobThread after, DateTimeOffset now) =>
        new(Guid.NewGuid().ToString("N"), now, after.PostedState, after.PostedLogLine, after.FinalPosted);

    /// <summary>The intent of the full-log file: its name is its marker, as a thread has one full log.</summary>
    public static ThreadPostIntent FullLog(JobRecord job, JobThread after, DateTimeOffset now) =>
        new(ThreadReplyRenderer.FullLogFileName(job), now, after.PostedState, after.PostedLogLine, after.FinalPosted);

    /// <summary>The reply with the intent's marker in its metadata.</summary>
    public static SlackMessage Tagged(SlackMessage reply, string jobId, ThreadPostIntent intent) =>
        reply with { Metadata = new MessageMetadata(EventType, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [JobIdKey] = jobId,
            [MarkerKey] = intent.Marker,
        }) };

    /// <summary>The cursor once the pending reply is known to be in the thread.</summary>
    public static JobThread Adopted(JobThread thread)
    {
        var pending = thread.Pending ?? throw new InvalidOperationException("There is no pending reply to adopt.");
        return thread with
        {
            PostedState = pending.PostedState,
            PostedLogLine = pending.PostedLogLine,
            FinalPosted = pending.FinalPosted,
            Pending = null,
        };
    }

    /// <summary>True when one of the bot's <paramref name="replies"/> is the one <paramref name="intent"/> was saved for.</summary>
    public static bool IsPosted(IReadOnlyList<HistoryMessage> replies, ThreadPostIntent intent) =>
        replies.Any(reply => reply.BotId is not null
            && ((reply.Metadata is { EventType: EventType } metadata && metadata.EventPayload.GetValueOrDefault(MarkerKey) == intent.Marker)
                || reply.FileNames.Contains(intent.Marker, StringComparer.Ordinal)));

    /// <summary>The ts of a job's own message among a channel's messages (by the job id in its identity line), if any.</summary>
    public static string? FindJobMessage(IReadOnlyList<HistoryMessage> messages, string jobId)
    {
        var marker = "`" + jobId + "`";
        return messages
            .Where(message => message.BotId is not null && (message.ThreadTs is null or { Length: 0 } || message.ThreadTs == message.Ts))
            .FirstOrDefault(message => message.Blocks is { } blocks && ContainsText(blocks, marker))
            ?.Ts;
    }

    /// <summary>True when any string inside the JSON contains <paramref name="text"/> (escapes decoded).</summary>
    private static bool ContainsText(JsonElement element, string text) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!.Contains(text, StringComparison.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Any(item => ContainsText(item, text)),
        JsonValueKind.Object => element.EnumerateObject().Any(property => ContainsText(property.Value, text)),
        _ => false,
    };
}
