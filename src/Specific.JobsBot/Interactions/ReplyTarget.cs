using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Interactions;

/// <summary>Where to tell one person something privately: the interaction's response_url, else an ephemeral post.</summary>
public sealed record ReplyTarget(string? ResponseUrl, string? ChannelId, string UserId);

/// <summary>Private replies through whichever route a <see cref="ReplyTarget"/> offers.</summary>
public static class SlackRepliesExtensions
{
    /// <summary>Tells the person privately; a reply with no route is dropped (there is nobody to tell).</summary>
    public static Task TellAsync(this ISlackReplies replies, ReplyTarget target, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replies);
        ArgumentNullException.ThrowIfNull(target);
        var message = SlackMessage.Ephemeral(text) with { ReplaceOriginal = target.ResponseUrl is null ? null : false };
        if (target.ResponseUrl is not null)
        {
            return replies.RespondAsync(target.ResponseUrl, message, cancellationToken);
        }

        return target.ChannelId is not null
            ? replies.PostEphemeralAsync(target.ChannelId, target.UserId, SlackMessage.Ephemeral(text), cancellationToken)
            : Task.CompletedTask;
    }
}
