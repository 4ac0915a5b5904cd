using System.Text.Json.Nodes;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;

namespace Specific.Slack.Tests.BlockKit;

public sealed class BlockKitSerializationTests
{
    private static JsonNode Json<T>(T value) => JsonNode.Parse(SlackJson.Serialize(value))!;

    [Fact]
    public void Blocks_are_written_with_their_type_first_in_snake_case_without_nulls()
    {
        var message = new SlackMessage("fallback", [
            new HeaderBlock(new PlainText(":white_check_mark: nightly", Emoji: true)),
            new SectionBlock(new Mrkdwn("*Service*")) { BlockId = "summary", Fields = [new Mrkdwn("`web`"), new PlainText("production")] },
            new DividerBlock(),
            new ContextBlock([new Mrkdwn("started by <@U1>")]),
        ]);

        var json = Json(message);

        Assert.Equal("fallback", json["text"]!.GetValue<string>());
        Assert.Null(json.AsObject()["response_type"]);
        var blocks = json["blocks"]!.AsArray();
        Assert.Equal("""{"type":"header","text":{"type":"plain_text","text":":white_check_mark: nightly","emoji":true}}""", blocks[0]!.ToJsonString(SlackJson.Options));
        Assert.Equal(
            """{"type":"section","text":{"type":"mrkdwn","text":"*Service*"},"fields":[{"type":"mrkdwn","text":"`web`"},{"type":"plain_text","text":"production"}],"block_id":"summary"}""",
            blocks[1]!.ToJsonString(SlackJson.Options));
        Assert.Equal("""{"type":"divider"}""", blocks[2]!.ToJsonString(SlackJson.Options));
        Assert.Equal("""{"type":"context","elements":[{"type":"mrkdwn","text":"started by <@U1>"}]}""", blocks[3]!.ToJsonString(SlackJson.Options));
    }

    [Fact]
    public void A_danger_button_with_a_confirm_dialog_has_slacks_shape()
    {
        var button = new ButtonElement(new PlainText("Cancel"), "job_cancel", "j-abc")
        {
            Style = ButtonStyle.Danger,
            Confirm = new ConfirmDialog(new PlainText("Cancel job?"), new Mrkdwn("Stop `j-abc`?"), new PlainText("Cancel job"), new PlainText("Keep running"))
            {
                Style = ButtonStyle.Danger,
            },
        };

        var json = Json(new ActionsBlock([button]) { BlockId = "job_actions" });

        Assert.Equal(
            """{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Cancel"},"action_id":"job_cancel","value":"j-abc","style":"danger","confirm":{"title":{"type":"plain_text","text":"Cancel job?"},"text":{"type":"mrkdwn","text":"Stop `j-abc`?"},"confirm":{"type":"plain_text","text":"Cancel job"},"deny":{"type":"plain_text","text":"Keep running"},"style":"danger"}}],"block_id":"job_actions"}""",
            json.ToJsonString(SlackJson.Options));
    }

    [Fact]
    public void A_conversations_select_with_a_filter_has_slacks_shape_and_reads_back()
    {
        var input = new InputBlock(
            new PlainText("Post in"),
            new ConversationsSelectElement("pick")
            {
                InitialConversation = "C0OPS",
                Filter = new ConversationFilter([ConversationFilter.Public, ConversationFilter.Private]) { ExcludeBotUsers = true },
            })
        { BlockId = "where" };

        var json = Json(input);

        var element = json["element"]!;
        Assert.Equal("conversations_select", element["type"]!.GetValue<string>());
        Assert.Equal("C0OPS", element["initial_conversation"]!.GetValue<string>());
        Assert.Equal("""{"include":["public","private"],"exclude_bot_users":true}""", element["filter"]!.ToJsonString());
        BlockKitLimits.EnsureValid(new ModalView(new PlainText("Run a job"), [input]) { Submit = new PlainText("Run") });
        var wrong = input with { Element = new ConversationsSelectElement("pick") { Filter = new ConversationFilter(["channels"]) } };
        var thrown = Assert.Throws<InvalidOperationException>(() => BlockKitLimits.EnsureValid(new ModalView(new PlainText("Run a job"), [wrong]) { Submit = new PlainText("Run") }));
        Assert.Contains("filter.include: channels", thrown.Message, StringComparison.Ordinal);
        var back = SlackJson.Deserialize<Block>(SlackJson.Serialize<Block>(input));
        Assert.Equal("C0OPS", Assert.IsType<ConversationsSelectElement>(Assert.IsType<InputBlock>(back).Element).InitialConversation);
    }

    [Fact]
    public void A_modal_with_inputs_serializes_type_modal_and_its_elements()
    {
        var web = new OptionObject(new PlainText("web"), "web");
        var view = new ModalView(new PlainText("Run a job"), [
            new InputBlock(new PlainText("Service"), new StaticSelectElement("service_select", [web, new OptionObject(new PlainText("api"), "api")]) { InitialOption = web })
            {
                BlockId = "service",
            },
            new InputBlock(new PlainText("Command"), new PlainTextInputElement("command_input") { Multiline = true, MaxLength = 3000, InitialValue = "echo hi" })
            {
                BlockId = "command",
            },
            new InputBlock(new PlainText("Name"), new PlainTextInputElement("name_input")) { BlockId = "name", Optional = true },
        ])
        {
            CallbackId = "job_run",
            Submit = new PlainText("Run"),
            Close = new PlainText("Cancel"),
            PrivateMetadata = "{\"channel\":\"C1\"}",
        };

        var json = Json(view);

        Assert.Equal("modal", json["type"]!.GetValue<string>());
        Assert.Equal("job_run", json["callback_id"]!.GetValue<string>());
        Assert.Equal("Run", json["submit"]!["text"]!.GetValue<string>());
        var select = json["blocks"]![0]!["element"]!;
        Assert.Equal("static_select", select["type"]!.GetValue<string>());
        Assert.Equal("web", select["initial_option"]!["value"]!.GetValue<string>());
        Assert.Equal(2, select["options"]!.AsArray().Count);
        var input = json["blocks"]![1]!["element"]!;
        Assert.Equal("""{"type":"plain_text_input","action_id":"command_input","initial_value":"echo hi","multiline":true,"max_length":3000}""", input.ToJsonString(SlackJson.Options));
        Assert.True(json["blocks"]![2]!["optional"]!.GetValue<bool>());
        Assert.Empty(BlockKitLimits.Check(view));
    }

    [Fact]
    public void Rich_text_preformatted_nests_text_elements()
    {
        var block = new RichTextBlock([
            new RichTextSection([new RichTextText("Output", new RichTextStyle(Bold: true))]),
            new RichTextPreformatted([new RichTextText("line 1\nline 2")]),
        ]);

        Assert.Equal(
            """{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"Output","style":{"bold":true}}]},{"type":"rich_text_preformatted","elements":[{"type":"text","text":"line 1\nline 2"}]}]}""",
            Json<Block>(block).ToJsonString(SlackJson.Options));
    }

    [Fact]
    public void Ephemeral_reply_and_view_errors_use_slacks_field_names()
    {
        Assert.Equal("""{"text":"nope","response_type":"ephemeral"}""", SlackJson.Serialize(SlackMessage.Ephemeral("nope")));
        Assert.Equal("""{"text":"hi","replace_original":true}""", SlackJson.Serialize(new SlackMessage("hi") { ReplaceOriginal = true }));
        Assert.Equal(
            """{"response_action":"errors","errors":{"command":"Enter a command."}}""",
            SlackJson.Serialize(ViewSubmissionResponse.WithErrors(new Dictionary<string, string> { ["command"] = "Enter a command." })));
    }

    [Fact]
    public void Blocks_read_back_into_the_same_records()
    {
        var message = new SlackMessage("t", [
            new SectionBlock(new Mrkdwn("x")) { Accessory = new OverflowElement("more", [new OptionObject(new PlainText("Logs"), "logs")]) },
            new ActionsBlock([new ButtonElement(new PlainText("Re-run"), "job_rerun", "j-1") { Style = ButtonStyle.Primary }]),
        ]);

        var roundTripped = SlackJson.Deserialize<SlackMessage>(SlackJson.Serialize(message));

        Assert.Equal(SlackJson.Serialize(message), SlackJson.Serialize(roundTripped));
        var button = Assert.IsType<ButtonElement>(Assert.IsType<ActionsBlock>(roundTripped.Blocks![1]).Elements[0]);
        Assert.Equal(ButtonStyle.Primary, button.Style);
    }
}
