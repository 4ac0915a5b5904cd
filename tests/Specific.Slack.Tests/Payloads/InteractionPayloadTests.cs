using System.Net;
using System.Text.Json;
using Specific.Slack.Payloads;

namespace Specific.Slack.Tests.Payloads;

public sealed class InteractionPayloadTests
{
    private const string BlockActionsJson = """
        {
          "type": "block_actions",
          "user": { "id": "U061F7AUR", "username": "alice", "name": "alice", "team_id": "T9TK3CUKW" },
          "api_app_id": "A0MDYCDME",
          "token": "9s8d9as89d8as9d8as989",
          "container": { "type": "message", "message_ts": "1548261231.000200", "channel_id": "C0123", "is_ephemeral": false },
          "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
          "team": { "id": "T9TK3CUKW", "domain": "example" },
          "channel": { "id": "C0123", "name": "ops" },
          "message": {
            "type": "message", "ts": "1548261231.000200", "text": "job j-abc is running",
            "blocks": [ { "type": "section", "block_id": "x", "text": { "type": "mrkdwn", "text": "hi" } },
                        { "type": "some_future_block" } ]
          },
          "response_url": "https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209",
          "actions": [
            { "action_id": "job_cancel", "block_id": "job_actions", "text": { "type": "plain_text", "text": "Cancel" },
              "value": "j-abc", "style": "danger", "type": "button", "action_ts": "1548426417.840180" }
          ]
        }
        """;

    private const string ViewSubmissionJson = """
        {
          "type": "view_submission",
          "team": { "id": "T0001", "domain": "example" },
          "user": { "id": "U0001", "username": "bob", "team_id": "T0001" },
          "api_app_id": "A0001",
          "trigger_id": "123.456.abc",
          "view": {
            "id": "V0001", "team_id": "T0001", "type": "modal", "callback_id": "job_run",
            "private_metadata": "{\"channel\":\"C0123\"}", "hash": "156772938.1827394",
            "blocks": [],
            "state": {
              "values": {
                "service": { "service_select": { "type": "static_select",
                  "selected_option": { "text": { "type": "plain_text", "text": "web", "emoji": true }, "value": "web" } } },
                "environment": { "env_select": { "type": "static_select", "selected_option": null } },
                "command": { "command_input": { "type": "plain_text_input", "value": "echo $GREETING\nexit 3" } },
                "name": { "name_input": { "type": "plain_text_input", "value": null } }
              }
            }
          },
          "response_urls": [],
          "is_enterprise_install": false
        }
        """;

    [Fact]
    public void A_global_shortcut_carries_its_callback_id_trigger_and_user_and_no_channel()
    {
        // The shape of Slack's documented global shortcut payload.
        var payload = Assert.IsType<ShortcutPayload>(InteractionPayload.Parse("""
            {
              "type": "shortcut", "token": "Xl4bX7Lz8ZhnW", "action_ts": "1581106241.371594",
              "team": { "id": "TXXXXXXXX", "domain": "shortcuts-test" },
              "user": { "id": "UXXXXXXXXX", "username": "aman", "team_id": "TXXXXXXXX" },
              "callback_id": "run_a_job", "trigger_id": "944799105734.773906753841.38b5894552bdd4a780554ee59d1f3638"
            }
            """));

        Assert.Equal(
            ("run_a_job", "1581106241.371594", "944799105734.773906753841.38b5894552bdd4a780554ee59d1f3638", "UXXXXXXXXX", "TXXXXXXXX"),
            (payload.CallbackId, payload.ActionTs, payload.TriggerId, payload.User!.Id, payload.Team!.Id));
    }

    [Fact]
    public void A_picked_conversation_is_the_value_of_its_field()
    {
        var payload = Assert.IsType<ViewSubmissionPayload>(InteractionPayload.Parse("""
            {"type":"view_submission","view":{"id":"V1","state":{"values":{
              "where":{"pick":{"type":"conversations_select","selected_conversation":"C0OPS"}},
              "none":{"pick":{"type":"conversations_select","selected_conversation":null}}}}}}
            """));

        Assert.Null(payload.View.State.Problem);
        Assert.Equal("C0OPS", payload.View.ValueOf("where", "pick"));
        Assert.Null(payload.View.ValueOf("none", "pick"));
    }

    [Fact]
    public void Block_actions_payload_carries_the_action_the_user_and_the_message()
    {
        var payload = Assert.IsType<BlockActionsPayload>(InteractionPayload.Parse(BlockActionsJson));

        var action = Assert.Single(payload.Actions);
        Assert.Equal("job_cancel", action.ActionId);
        Assert.Equal("j-abc", action.Value);
        Assert.Equal("button", action.Type);
        Assert.Equal("U061F7AUR", payload.User!.Id);
        Assert.Equal("alice", payload.User.Username);
        Assert.Equal("C0123", payload.Channel!.Id);
        Assert.Equal("1548261231.000200", payload.Message!.Ts);
        Assert.Equal("1548261231.000200", payload.Container!.MessageTs);
        Assert.Equal("C0123", payload.Container.ChannelId);
        Assert.StartsWith("12321423423.", payload.TriggerId, StringComparison.Ordinal);
        Assert.StartsWith("https://hooks.slack.com/actions/", payload.ResponseUrl, StringComparison.Ordinal);
    }

    [Fact]
    public void View_submission_exposes_input_values_and_selected_options()
    {
        var payload = Assert.IsType<ViewSubmissionPayload>(InteractionPayload.Parse(ViewSubmissionJson));

        Assert.Equal("job_run", payload.View.CallbackId);
        Assert.Equal("{\"channel\":\"C0123\"}", payload.View.PrivateMetadata);
        Assert.Equal("web", payload.View.ValueOf("service", "service_select"));
        Assert.Equal("echo $GREETING\nexit 3", payload.View.ValueOf("command", "command_input"));
        Assert.Null(payload.View.ValueOf("environment", "env_select"));
        Assert.Null(payload.View.ValueOf("name", "name_input"));
        Assert.Null(payload.View.ValueOf("nope", "nothing"));
        Assert.Equal("web", payload.View.State.Values["service"]["service_select"].SelectedOption!.Text!.Text);
    }

    [Fact]
    public void A_view_submission_read_whole_has_no_state_problem_and_writes_back_as_Slack_shapes_it()
    {
        var payload = Assert.IsType<ViewSubmissionPayload>(InteractionPayload.Parse(ViewSubmissionJson));

        Assert.Null(payload.View.State.Problem);
        var written = JsonDocument.Parse(SlackJson.Serialize(payload.View.State)).RootElement;
        Assert.Equal("echo $GREETING\nexit 3", written.GetProperty("values").GetProperty("command").GetProperty("command_input").GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("""{"values":null}""", "state.values is null")]
    [InlineData("null", "state is null")]
    [InlineData("""{}""", "state.values is missing")]
    [InlineData("""{"values":["command"]}""", "state.values is an array")]
    [InlineData("""{"values":{"command":"echo hi"}}""", "state.values.command is a string")]
    [InlineData("""{"values":{"command":{"command_input":{"type":"plain_text_input","value":42}}}}""", "state.values.command.command_input is not an input's value")]
    [InlineData("""{"values":{"service":{"service_select":{"selected_option":"web"}}}}""", "state.values.service.service_select is not an input's value")]
    public void A_view_submission_whose_state_has_another_shape_parses_with_no_values_and_says_what_was_wrong(string state, string problem)
    {
        var json = ViewSubmissionJson.Replace(ViewSubmissionJson[ViewSubmissionJson.IndexOf("\"state\"", StringComparison.Ordinal)..ViewSubmissionJson.IndexOf("\"response_urls\"", StringComparison.Ordinal)], "\"state\": " + state + " }, ", StringComparison.Ordinal);

        var payload = Assert.IsType<ViewSubmissionPayload>(InteractionPayload.Parse(json));

        Assert.Equal(problem, payload.View.State.Problem);
        Assert.Empty(payload.View.State.Values);
        Assert.Null(payload.View.ValueOf("command", "command_input"));
    }

    [Fact]
    public void A_view_without_state_says_so()
    {
        var payload = Assert.IsType<ViewSubmissionPayload>(InteractionPayload.Parse("""{"type":"view_submission","view":{"id":"V1"}}"""));

        Assert.Equal("the view has no state", payload.View.State.Problem);
    }

    [Fact]
    public void The_payload_form_field_is_decoded_before_parsing()
    {
        var body = "payload=" + WebUtility.UrlEncode(BlockActionsJson);
        Assert.IsType<BlockActionsPayload>(InteractionPayload.FromBody(body));
    }

    [Fact]
    public void Unknown_interaction_types_are_kept_raw_rather_than_refused()
    {
        var payload = InteractionPayload.Parse("""{"type":"message_action","callback_id":"x","user":{"id":"U1"}}""");
        var unknown = Assert.IsType<UnknownInteractionPayload>(payload);
        Assert.Equal("message_action", unknown.Type);
        Assert.Equal("x", unknown.Raw.GetProperty("callback_id").GetString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("""{"type": 3}""")]
    [InlineData("not json")]
    public void Malformed_payloads_throw_json_exceptions(string json)
    {
        Assert.ThrowsAny<JsonException>(() => InteractionPayload.Parse(json));
    }

    [Fact]
    public void A_form_without_payload_is_refused()
    {
        Assert.Throws<FormatException>(() => InteractionPayload.FromBody("token=x"));
    }
}
