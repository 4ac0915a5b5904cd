using Specific.JobsBot.Home;
using Specific.JobsBot.Work;
using Specific.Slack;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.FrontDoor;

/// <summary>
/// Answers what Slack posts to the Events API (over HTTP or as an events_api envelope) within its 3 seconds: the URL
/// check's challenge in the answer, and for <c>app_home_opened</c> on the Home tab, an empty answer and a publish of
/// that person's tab on the queue. A retried delivery (X-Slack-Retry-Num, retry_attempt) only asks for the same publish
/// again: it is coalesced with the first, and publishing a whole tab twice is harmless anyway, so no ledger is kept.
/// </summary>
public sealed class SlackEventHandler(FrontDoorQueue queue)
{
    /// <summary>The answer's JSON (the challenge), or null for an empty 200.</summary>
    public string? Handle(EventsApiPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        switch (payload)
        {
            case UrlVerificationPayload verification:
                return SlackJson.Serialize(new UrlVerificationAnswer(verification.Challenge));
            case EventCallbackPayload { Event: AppHomeOpenedEvent { Tab: AppHomeOpenedEvent.HomeTab } opened } when SlackText.IsUserId(opened.User):
                var (userId, shownHash) = (opened.User, opened.View?.Hash);
                queue.TryEnqueue($"publish the Home tab of {userId}", (services, _) =>
                {
                    services.GetRequiredService<HomePublisher>().Opened(userId, shownHash);
                    return Task.CompletedTask;
                });
                return null;
            default:
                // Another tab, or an event the app does not subscribe to: acknowledged, so Slack does not retry it.
                return null;
        }
    }

    private sealed record UrlVerificationAnswer(string Challenge);
}
