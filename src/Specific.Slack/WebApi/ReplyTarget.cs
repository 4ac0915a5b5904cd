using Microsoft.Extensions.Logging;
using Specific.Slack.BlockKit;

namespace Specific.Slack.WebApi;

/// <summary>
/// Where to tell one person something privately: the interaction's response_url, else an ephemeral post in the channel,
/// else (a shortcut, an App Home button, a modal: no conversation at all) their direct message with the app.
/// </summary>
public sealed record ReplyTarget(string? ResponseUrl, string? ChannelId, string UserId);

/// <summary>Private replies through whichever route a <see cref="ReplyTarget"/> offers.</summary>
public static partial class PrivateReplies
{
    /// <summary>Tells the person privately: by response_url, else ephemerally in the channel, else by direct message.</summary>
    public static Task TellAsync(this SlackWebClient slack, ReplyTarget target, string text, CancellationToken cancellationToken) =>
        slack.TellAsync(target, SlackMessage.Ephemeral(text), cancellationToken);

    /// <summary>Tells the person privately with a whole message (blocks and fallback text).</summary>
    public static Task TellAsync(this SlackWebClient slack, ReplyTarget target, SlackMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slack);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        if (target.ResponseUrl is not null && Uri.TryCreate(target.ResponseUrl, UriKind.Absolute, out var responseUrl))
        {
            // Never replace the message a button sits on: the job message belongs to the thread keeper.
            return slack.PostToResponseUrlAsync(responseUrl, message with { ResponseType = ResponseType.Ephemeral, ReplaceOriginal = false }, cancellationToken);
        }

        return target.ChannelId is not null
            ? slack.PostEphemeralAsync(target.ChannelId, target.UserId, message with { ResponseType = ResponseType.Ephemeral }, cancellationToken: cancellationToken)
            // chat.postMessage to a user id lands in their direct message with the app, which only they (and it) can read.
            : slack.PostMessageAsync(target.UserId, message with { ResponseType = null, ReplaceOriginal = null }, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Tells the person privately where a failure to tell must not fail the work around it (the job is recorded, the
    /// decision stands): a reply Slack refuses is logged with <paramref name="about"/>, never thrown.
    /// </summary>
    public static async Task TellOrLogAsync(this SlackWebClient slack, ReplyTarget target, string text, ILogger logger, string about)
    {
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            await slack.TellAsync(target, text, CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogTellFailed(logger, exception, target.UserId, about);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell {UserId} {About}")]
    private static partial void LogTellFailed(ILogger logger, Exception exception, string userId, string about);
}
