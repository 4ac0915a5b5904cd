using System.Text.Json.Serialization;

namespace Specific.Slack.BlockKit;

/// <summary>
/// A message's content: the <c>text</c> fallback (read by notifications and screen readers) and its blocks. Also the
/// body of a slash-command reply or a response_url post, where the response fields apply.
/// </summary>
public sealed record SlackMessage(string Text, IReadOnlyList<Block>? Blocks = null)
{
    /// <summary>For slash-command replies and response_url posts.</summary>
    public ResponseType? ResponseType { get; init; }

    /// <summary>For response_url posts: replace the message the action came from.</summary>
    public bool? ReplaceOriginal { get; init; }

    /// <summary>For response_url posts: delete the message the action came from.</summary>
    public bool? DeleteOriginal { get; init; }

    /// <summary>For chat.postMessage: machine-readable data that travels with the message, unseen by people.</summary>
    public MessageMetadata? Metadata { get; init; }

    /// <summary>A reply only the person who asked can see.</summary>
    public static SlackMessage Ephemeral(string text, IReadOnlyList<Block>? blocks = null) =>
        new(text, blocks) { ResponseType = BlockKit.ResponseType.Ephemeral };

    /// <summary>A reply everyone in the channel can see.</summary>
    public static SlackMessage InChannel(string text, IReadOnlyList<Block>? blocks = null) =>
        new(text, blocks) { ResponseType = BlockKit.ResponseType.InChannel };
}

/// <summary>Who sees a slash-command reply.</summary>
public enum ResponseType
{
    [JsonStringEnumMemberName("ephemeral")] Ephemeral,
    [JsonStringEnumMemberName("in_channel")] InChannel,
}

/// <summary>Slack message metadata: an event type and a payload of strings, returned by reads that ask for it.</summary>
public sealed record MessageMetadata(string EventType, IReadOnlyDictionary<string, string> EventPayload);
