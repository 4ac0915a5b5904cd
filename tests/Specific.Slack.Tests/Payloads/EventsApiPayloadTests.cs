using System.Text.Json;
using Specific.Slack.Payloads;
using Specific.Slack.SocketMode;

namespace Specific.Slack.Tests.Payloads;

/// <summary>What Slack posts to the Events API request URL, read as its documentation shows it.</summary>
public sealed class EventsApiPayloadTests
{
    // Slack's documented app_home_opened example, wrapped in the event_callback that carries it.
    private const string AppHomeOpenedJson = """
        {
          "token": "XXYYZZ", "team_id": "T123ABC456", "api_app_id": "A123ABC456",
          "event": {
            "type": "app_home_opened", "user": "U123ABC456", "channel": "D123ABC456", "event_ts": "1515449522000016", "tab": "home",
            "view": {
              "id": "V123ABC456", "team_id": "T123ABC456", "type": "home", "blocks": [], "private_metadata": "", "callback_id": "",
              "hash": "1231232323.12321312", "clear_on_close": false, "notify_on_close": false, "root_view_id": "V123ABC456",
              "app_id": "A123ABC456", "external_id": "", "app_installed_team_id": "T123ABC456", "bot_id": "B123ABC456"
            }
          },
          "type": "event_callback", "event_id": "Ev123ABC456", "event_time": 1515449522,
          "authorizations": [ { "team_id": "T123ABC456", "user_id": "U0BOT", "is_bot": true } ]
        }
        """;

    [Fact]
    public void Url_verification_carries_the_challenge_to_answer()
    {
        var payload = EventsApiPayload.Parse("""{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""");

        var verification = Assert.IsType<UrlVerificationPayload>(payload);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", verification.Challenge);
    }

    [Fact]
    public void App_home_opened_is_read_with_its_user_tab_channel_and_earlier_view()
    {
        var callback = Assert.IsType<EventCallbackPayload>(EventsApiPayload.Parse(AppHomeOpenedJson));

        Assert.Equal(("T123ABC456", "A123ABC456", "Ev123ABC456", 1515449522L), (callback.TeamId, callback.ApiAppId, callback.EventId, callback.EventTime));
        var opened = Assert.IsType<AppHomeOpenedEvent>(callback.Event);
        Assert.Equal(("U123ABC456", "D123ABC456", AppHomeOpenedEvent.HomeTab), (opened.User, opened.Channel, opened.Tab));
        Assert.Equal(("V123ABC456", "1231232323.12321312"), (opened.View!.Id, opened.View.Hash));
    }

    [Fact]
    public void The_first_open_has_no_view_and_the_messages_tab_is_told_apart()
    {
        var first = EventsApiPayload.Parse("""{"type":"event_callback","event":{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home","event_ts":"1.2"}}""");
        var messages = EventsApiPayload.Parse("""{"type":"event_callback","event":{"type":"app_home_opened","user":"U1","channel":"D1","tab":"messages","event_ts":"1.3"}}""");

        Assert.Null(Assert.IsType<AppHomeOpenedEvent>(Assert.IsType<EventCallbackPayload>(first).Event).View);
        Assert.Equal("messages", Assert.IsType<AppHomeOpenedEvent>(Assert.IsType<EventCallbackPayload>(messages).Event).Tab);
    }

    [Fact]
    public void Events_and_payload_types_the_app_does_not_know_are_read_as_unknown()
    {
        var reaction = EventsApiPayload.Parse("""{"type":"event_callback","event":{"type":"reaction_added","user":"U1"}}""");
        var revoked = EventsApiPayload.Parse("""{"type":"app_rate_limited","minute_rate_limited":1518467820}""");

        Assert.Equal("reaction_added", Assert.IsType<UnknownSlackEvent>(Assert.IsType<EventCallbackPayload>(reaction).Event).Type);
        Assert.Equal("app_rate_limited", Assert.IsType<UnknownEventsApiPayload>(revoked).Type);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"challenge":"x"}""")]
    [InlineData("""{"type":"event_callback"}""")]
    [InlineData("""{"type":"event_callback","event":{"user":"U1"}}""")]
    [InlineData("not json")]
    public void A_body_without_the_shape_Slack_sends_is_refused(string json) =>
        Assert.ThrowsAny<JsonException>(() => EventsApiPayload.Parse(json));

    [Fact]
    public void An_events_api_envelope_carries_the_same_event_callback()
    {
        var envelope = SocketModeEnvelope.Parse($$"""{"envelope_id":"e-9","type":"events_api","accepts_response_payload":false,"retry_attempt":0,"payload":{{AppHomeOpenedJson}}}""");

        var opened = Assert.IsType<AppHomeOpenedEvent>(Assert.IsType<EventCallbackPayload>(envelope.ReadEvent()).Event);
        Assert.Equal("U123ABC456", opened.User);
        Assert.Throws<FormatException>(() => (envelope with { Payload = null }).ReadEvent());
    }
}
