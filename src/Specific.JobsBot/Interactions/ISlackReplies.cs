using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Interactions;

/// <summary>
/// What the front door says to Slack after it has answered the request: modals, ephemeral replies and files. Every
/// call runs on the <see cref="Hosting.FrontDoorQueue"/>, never inside a request.
/// </summary>
public interface ISlackReplies
{
    /// <summary>views.open with a trigger_id (usable once, within 3 s of the user's action).</summary>
    Task OpenModalAsync(string triggerId, ModalView view, CancellationToken cancellationToken);

    /// <summary>views.update of an open modal; <paramref name="hash"/> guards against overwriting a newer view.</summary>
    Task UpdateModalAsync(string viewId, string? hash, ModalView view, CancellationToken cancellationToken);

    /// <summary>Posts to a response_url (at most 5 uses within 30 minutes).</summary>
    Task RespondAsync(string responseUrl, SlackMessage message, CancellationToken cancellationToken);

    /// <summary>chat.postEphemeral: a message only <paramref name="userId"/> sees in the channel.</summary>
    Task PostEphemeralAsync(string channelId, string userId, SlackMessage message, CancellationToken cancellationToken);

    /// <summary>Uploads a file into a channel or thread (files.getUploadURLExternal + files.completeUploadExternal).</summary>
    Task UploadFileAsync(
        string channelId, string? threadTs, string fileName, string title, Stream content, CancellationToken cancellationToken);
}
