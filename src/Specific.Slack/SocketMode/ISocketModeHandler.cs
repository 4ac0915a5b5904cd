namespace Specific.Slack.SocketMode;

/// <summary>
/// Answers the envelopes a Socket Mode connection delivers. Must answer quickly (Slack waits 3 seconds for the
/// acknowledgement) and leave slow work for later, as an HTTP endpoint would.
/// </summary>
public interface ISocketModeHandler
{
    /// <summary>
    /// The acknowledgement's payload as Slack-shaped JSON (a slash command reply, a view_submission response_action),
    /// or null for an empty acknowledgement.
    /// </summary>
    Task<string?> HandleAsync(SocketModeEnvelope envelope, CancellationToken cancellationToken);
}
