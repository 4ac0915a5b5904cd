using System.Globalization;
using System.Text.Json;
using Specific.Slack.BlockKit;

namespace Specific.Slack.WebApi;

public sealed partial class SlackWebClient
{
    /// <summary>
    /// One page of a thread (conversations.replies; needs channels:history or groups:history): the parent and its
    /// replies posted after <paramref name="oldest"/>, oldest first, each with its metadata and its files' names.
    /// </summary>
    public async Task<IReadOnlyList<HistoryMessage>> GetRepliesAsync(
        string channelId, string threadTs, DateTimeOffset oldest, int limit = 200, CancellationToken cancellationToken = default)
    {
        var response = await CallFormAsync(
            Methods.ConversationsReplies,
            [
                new("channel", channelId), new("ts", threadTs), new("oldest", TsOf(oldest)),
                new("limit", limit.ToString(CultureInfo.InvariantCulture)), new("include_all_metadata", "true"),
            ],
            cancellationToken);
        return MessagesIn(response);
    }

    /// <summary>A moment as Slack's "ts" (seconds with six decimals), for the oldest/latest bounds of a history call.</summary>
    private static string TsOf(DateTimeOffset moment) =>
        (moment.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000000", CultureInfo.InvariantCulture);

    /// <summary>The messages of a conversations.history or conversations.replies answer, each with its metadata and files' names.</summary>
    private static List<HistoryMessage> MessagesIn(JsonElement response)
    {
        if (!response.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return [];
        }
        return messages.EnumerateArray()
            .Where(message => message.ValueKind == JsonValueKind.Object && String(message, "ts") is not null)
            .Select(message => new HistoryMessage(
                String(message, "ts")!, String(message, "text"), String(message, "user"), String(message, "bot_id"),
                String(message, "thread_ts"),
                message.TryGetProperty("blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array ? blocks.Clone() : null)
            {
                Metadata = ReadMetadata(message),
                FileNames = message.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array
                    ? [.. files.EnumerateArray().Where(file => file.ValueKind == JsonValueKind.Object).Select(file => String(file, "name")).OfType<string>()]
                    : [],
            })
            .ToList();
    }

    private static MessageMetadata? ReadMetadata(JsonElement message)
    {
        if (!message.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object
            || String(metadata, "event_type") is not { } eventType)
        {
            return null;
        }
        var payload = metadata.TryGetProperty("event_payload", out var values) && values.ValueKind == JsonValueKind.Object
            ? values.EnumerateObject().Where(value => value.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(value => value.Name, value => value.Value.GetString()!, StringComparer.Ordinal)
            : [];
        return new MessageMetadata(eventType, payload);
    }
}
