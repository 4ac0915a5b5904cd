using System.Text.Json.Nodes;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>Each Block Kit limit is refused with invalid_blocks and the JSON pointer of the offending field.</summary>
public sealed class BlockKitLimitTests : IAsyncLifetime
{
    private StandInHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await StandInHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static string S(int n) => new('a', n);

    private static string Section(string text) => $$$"""{"type":"section","text":{"type":"mrkdwn","text":"{{{text}}}"}}""";

    private static string Button(string actionId, string text = "Go", string extra = "") =>
        $$$"""{"type":"button","action_id":"{{{actionId}}}","text":{"type":"plain_text","text":"{{{text}}}"}{{{extra}}}}""";

    private static string Confirm(int title = 5, int text = 5, int confirm = 5, int deny = 5) =>
        $$$""","confirm":{"title":{"type":"plain_text","text":"{{{S(title)}}}"},"text":{"type":"mrkdwn","text":"{{{S(text)}}}"},"confirm":{"type":"plain_text","text":"{{{S(confirm)}}}"},"deny":{"type":"plain_text","text":"{{{S(deny)}}}"}}""";

    private static string Options(int count, int textLength = 5) =>
        "[" + string.Join(',', Enumerable.Range(0, count).Select(i => $$$"""{"text":{"type":"plain_text","text":"{{{S(textLength)}}}"},"value":"v{{{i}}}"}""")) + "]";

    public static TheoryData<string, string, string> Refused => new()
    {
        { "51 blocks", "[" + string.Join(',', Enumerable.Range(0, 51).Select(_ => """{"type":"divider"}""")) + "]", "[ERROR] no more than 50 items allowed [json-pointer:/blocks]" },
        { "section text 3001", "[" + Section(S(3001)) + "]", "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]" },
        { "11 fields", """[{"type":"section","fields":[""" + string.Join(',', Enumerable.Range(0, 11).Select(_ => """{"type":"mrkdwn","text":"f"}""")) + "]}]", "[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/fields]" },
        { "field 2001", $$$"""[{"type":"section","fields":[{"type":"mrkdwn","text":"{{{S(2001)}}}"}]}]""", "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]" },
        { "header 151", $$$"""[{"type":"header","text":{"type":"plain_text","text":"{{{S(151)}}}"}}]""", "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]" },
        { "header mrkdwn", """[{"type":"header","text":{"type":"mrkdwn","text":"*x*"}}]""", "[ERROR] must be a valid enum value [json-pointer:/blocks/0/text/type]" },
        { "11 context elements", """[{"type":"context","elements":[""" + string.Join(',', Enumerable.Range(0, 11).Select(_ => """{"type":"mrkdwn","text":"c"}""")) + "]}]", "[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/elements]" },
        { "26 actions", """[{"type":"actions","elements":[""" + string.Join(',', Enumerable.Range(0, 26).Select(i => Button($"a{i}"))) + "]}]", "[ERROR] no more than 25 items allowed [json-pointer:/blocks/0/elements]" },
        { "block_id 256", $$$"""[{"type":"divider","block_id":"{{{S(256)}}}"}]""", "[ERROR] must be less than 256 characters [json-pointer:/blocks/0/block_id]" },
        { "duplicate block_id", """[{"type":"divider","block_id":"x"},{"type":"divider","block_id":"x"}]""", "[ERROR] duplicate block_id: x [json-pointer:/blocks/1/block_id]" },
        { "action_id 256", "[{\"type\":\"actions\",\"elements\":[" + Button(S(256)) + "]}]", "[ERROR] must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]" },
        { "duplicate action_id", "[{\"type\":\"actions\",\"elements\":[" + Button("same") + "," + Button("same") + "]}]", "[ERROR] duplicate action_id: same [json-pointer:/blocks/0/elements/1/action_id]" },
        { "button text 76", "[{\"type\":\"actions\",\"elements\":[" + Button("b", S(76)) + "]}]", "[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]" },
        { "button value 2001", "[{\"type\":\"actions\",\"elements\":[" + Button("b", extra: $",\"value\":\"{S(2001)}\"") + "]}]", "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]" },
        { "confirm title 101", "[{\"type\":\"actions\",\"elements\":[" + Button("b", extra: Confirm(title: 101)) + "]}]", "[ERROR] must be less than 101 characters [json-pointer:/blocks/0/elements/0/confirm/title/text]" },
        { "confirm text 301", "[{\"type\":\"actions\",\"elements\":[" + Button("b", extra: Confirm(text: 301)) + "]}]", "[ERROR] must be less than 301 characters [json-pointer:/blocks/0/elements/0/confirm/text/text]" },
        { "confirm button 31", "[{\"type\":\"actions\",\"elements\":[" + Button("b", extra: Confirm(confirm: 31)) + "]}]", "[ERROR] must be less than 31 characters [json-pointer:/blocks/0/elements/0/confirm/confirm/text]" },
        { "deny button 31", "[{\"type\":\"actions\",\"elements\":[" + Button("b", extra: Confirm(deny: 31)) + "]}]", "[ERROR] must be less than 31 characters [json-pointer:/blocks/0/elements/0/confirm/deny/text]" },
        { "101 options", $$$"""[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":{{{Options(101)}}}}]}]""", "[ERROR] no more than 100 items allowed [json-pointer:/blocks/0/elements/0/options]" },
        { "option text 76", $$$"""[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":{{{Options(1, 76)}}}}]}]""", "[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/text/text]" },
        { "max_length 3001", """[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"i","max_length":3001}}]""", "[ERROR] must be less than 3001 [json-pointer:/blocks/0/element/max_length]" },
        { "unknown block", """[{"type":"carousel"}]""", "[ERROR] unsupported type: carousel [json-pointer:/blocks/0/type]" },
        { "section without text", """[{"type":"section"}]""", "[ERROR] must provide either text or fields [json-pointer:/blocks/0]" },
        { "button without text", """[{"type":"actions","elements":[{"type":"button","action_id":"b"}]}]""", "[ERROR] missing required field: text [json-pointer:/blocks/0/elements/0]" },
        { "misspelt property", """[{"type":"actions","elements":[{"type":"button","action-id":"b","text":{"type":"plain_text","text":"Go"}}]}]""", "[ERROR] invalid additional property: action-id [json-pointer:/blocks/0/elements/0]" },
        { "null accessory", """[{"type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":null}]""", "[ERROR] must not be null [json-pointer:/blocks/0/accessory]" },
        { "block without type", """[{"text":{"type":"mrkdwn","text":"x"}}]""", "[ERROR] missing required field: type [json-pointer:/blocks/0]" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Message_over_a_block_kit_limit_is_invalid_blocks_naming_the_path(string limit, string blocks, string expected)
    {
        var response = await _host.CallAsync("chat.postMessage", new JsonObject { ["channel"] = "C0SANDBOX", ["text"] = limit, ["blocks"] = JsonNode.Parse(blocks) });

        Assert.Equal("invalid_blocks", response.Error);
        Assert.Contains(expected, response.Messages);
        Assert.Contains(expected["[ERROR] ".Length..], response.Body["errors"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Empty(_host.Slack.ChannelMessages("C0SANDBOX"));
    }

    [Fact]
    public async Task Message_at_every_limit_is_accepted()
    {
        var blocks = new JsonArray(
            JsonNode.Parse($$$"""{"type":"header","text":{"type":"plain_text","text":"{{{S(150)}}}"}}"""),
            JsonNode.Parse(Section(S(3000))),
            JsonNode.Parse("""{"type":"section","fields":[""" + string.Join(',', Enumerable.Range(0, 10).Select(_ => """{"type":"mrkdwn","text":"f"}""")) + "]}"),
            JsonNode.Parse("""{"type":"context","elements":[""" + string.Join(',', Enumerable.Range(0, 10).Select(_ => """{"type":"mrkdwn","text":"c"}""")) + "]}"),
            JsonNode.Parse("""{"type":"actions","elements":[""" + string.Join(',', Enumerable.Range(0, 24).Select(i => Button($"a{i}", S(75), $",\"value\":\"{S(2000)}\""))) + "," + Button("c", extra: Confirm(100, 300, 30, 30)) + "]}"),
            JsonNode.Parse($$$"""{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":{{{Options(100, 10)}}}}]}"""),
            JsonNode.Parse("""{"type":"rich_text","elements":[{"type":"rich_text_preformatted","elements":[{"type":"text","text":"log line"}]}]}"""),
            JsonNode.Parse("""{"type":"divider","block_id":"x"}"""));
        while (blocks.Count < 50)
            blocks.Add(JsonNode.Parse("""{"type":"divider"}"""));

        var response = await _host.CallAsync("chat.postMessage", new JsonObject { ["channel"] = "C0SANDBOX", ["text"] = "fallback", ["blocks"] = blocks });

        Assert.True(response.Ok, response.Body.ToJsonString());
    }

    [Fact]
    public async Task Update_with_bad_blocks_is_refused_and_keeps_the_old_message()
    {
        var ts = (await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "old" })).S("ts");

        var response = await _host.CallAsync("chat.update", new JsonObject { ["channel"] = "C0SANDBOX", ["ts"] = ts, ["text"] = "new", ["blocks"] = JsonNode.Parse("[" + Section(S(3001)) + "]") });

        Assert.Equal("invalid_blocks", response.Error);
        Assert.Equal("old", _host.Slack.ChannelMessages("C0SANDBOX").Single().Text);
    }
}
