using System.Text.Json;

namespace Specific.Slack.WebApi;

public sealed partial class SlackWebClient
{
    /// <summary>
    /// A channel's facts (conversations.info; channels:read, groups:read, im:read or mpim:read by its kind). A private
    /// channel or DM the bot is not in answers channel_not_found.
    /// </summary>
    public async Task<SlackConversationInfo> GetConversationAsync(string channelId, CancellationToken cancellationToken = default)
    {
        var response = await CallFormAsync(
            Methods.ConversationsInfo, [new("channel", channelId)], cancellationToken);
        return ReadConversation(Methods.ConversationsInfo, response);
    }

    /// <summary>
    /// Joins a public channel (conversations.join; channels:join). A private channel cannot be joined, only invited to:
    /// Slack answers method_not_supported_for_channel_type, or channel_not_found when the bot cannot see it.
    /// </summary>
    public async Task<SlackConversationInfo> JoinConversationAsync(string channelId, CancellationToken cancellationToken = default)
    {
        var response = await CallFormAsync(
            Methods.ConversationsJoin, [new("channel", channelId)], cancellationToken);
        return ReadConversation(Methods.ConversationsJoin, response);
    }

    private static SlackConversationInfo ReadConversation(string method, JsonElement response)
    {
        var channel = response.TryGetProperty("channel", out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new SlackApiException(method, "malformed_response");
        return new SlackConversationInfo(
            RequiredString(method, channel, "id"), String(channel, "name"), Bool(channel, "is_channel"),
            Bool(channel, "is_private"), Bool(channel, "is_archived"), Bool(channel, "is_member"))
        {
            IsIm = Bool(channel, "is_im"),
            IsMpim = Bool(channel, "is_mpim"),
        };
    }
}
