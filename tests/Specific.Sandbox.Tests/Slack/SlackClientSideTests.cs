using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>What Slack sends the bot when a person acts, and how Slack honours the bot's answers.</summary>
public sealed class SlackClientSideTests : IAsyncLifetime
{
    private FakeBot _bot = null!;
    private StandInHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bot = await FakeBot.StartAsync();
        // Generous limits: this machine is shared and loaded; the deadline test below sets its own.
        _host = await StandInHost.StartAsync(o => (o.AckDeadline, o.TriggerIdLifetime) = (TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15)), _bot.Url.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _bot.DisposeAsync();
    }

    private static IResult Json(string json) => Results.Text(json, "application/json");

    [Fact]
    public async Task Slash_command_arrives_form_encoded_with_slacks_fields_and_a_valid_v0_signature()
    {
        await _host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "job run web echo hi", Ct);

        var request = Assert.Single(_bot.Received);
        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType, StringComparison.Ordinal);
        var expected = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(StandInHost.Secret), Encoding.UTF8.GetBytes($"v0:{request.Timestamp}:{request.RawBody}")));
        Assert.Equal(expected, request.Signature);
        Assert.InRange(long.Parse(request.Timestamp, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal("/specific", request.Fields["command"]);
        Assert.Equal("job run web echo hi", request.Fields["text"]);
        Assert.Equal("U0SANDBOX", request.Fields["user_id"]);
        Assert.Equal("sandbox-user", request.Fields["user_name"]);
        Assert.Equal("C0SANDBOX", request.Fields["channel_id"]);
        Assert.Equal("ops", request.Fields["channel_name"]);
        Assert.Equal("T0SANDBOX", request.Fields["team_id"]);
        foreach (var field in new[] { "team_domain", "enterprise_id", "api_app_id", "is_enterprise_install", "trigger_id" })
            Assert.True(request.Fields.ContainsKey(field), field);
        Assert.StartsWith(_host.Slack.BaseUrl + "response-url/", request.Fields["response_url"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_action_gets_a_fresh_trigger_id()
    {
        var first = await _host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "a", Ct);
        var second = await _host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "b", Ct);

        Assert.NotEqual(first.TriggerId, second.TriggerId);
    }

    [Fact]
    public async Task Ephemeral_slash_command_answer_is_shown_only_to_that_person()
    {
        _bot.OnCommand = _ => Task.FromResult(Json("""{"response_type":"ephemeral","text":"Starting job 7"}"""));

        var result = await _host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "job run web echo hi", Ct);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("Starting job 7", result.EphemeralReply?.Text);
        Assert.Equal("Starting job 7", Assert.Single(_host.Slack.Ephemerals("U0SANDBOX")).Text);
        Assert.Empty(_host.Slack.Ephemerals("U0ALICE"));
        Assert.Empty(_host.Slack.ChannelMessages("C0SANDBOX"));
        Assert.Empty(_host.Slack.DeadlineMisses);
    }

    [Fact]
    public async Task In_channel_slash_command_answer_is_posted_to_the_channel()
    {
        _bot.OnCommand = _ => Task.FromResult(Json("""{"response_type":"in_channel","text":"Job 7 started"}"""));

        var result = await _host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "job", Ct);

        Assert.Equal("Job 7 started", result.InChannelReply?.Text);
        Assert.Equal("Job 7 started", Assert.Single(_host.Slack.ChannelMessages("C0SANDBOX")).Text);
    }

    [Fact]
    public async Task Slash_command_answer_with_bad_blocks_shows_nothing_but_an_error()
    {
        _bot.OnCommand = _ => Task.FromResult(Json($$$"""{"blocks":[{"type":"header","text":{"type":"plain_text","text":"{{{new string('h', 151)}}}"}}]}"""));

        var result = await _host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "job", Ct);

        Assert.Equal("invalid_blocks", result.Error);
        Assert.Null(result.EphemeralReply);
        Assert.Contains("invalid_blocks", Assert.Single(_host.Slack.Ephemerals("U0SANDBOX")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bot_that_answers_after_the_deadline_is_recorded_as_a_deadline_miss()
    {
        await using var strict = await StandInHost.StartAsync(o => o.AckDeadline = TimeSpan.FromSeconds(1), _bot.Url.ToString());
        _bot.OnCommand = async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None);
            return Json("""{"text":"too late"}""");
        };

        var result = await strict.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "slow", Ct);

        Assert.True(result.MissedDeadline);
        Assert.Equal("operation_timeout", result.Error);
        Assert.Contains("slow", Assert.Single(strict.Slack.DeadlineMisses), StringComparison.Ordinal);
        Assert.DoesNotContain(strict.Slack.Ephemerals("U0SANDBOX"), e => e.Text == "too late");
        Assert.Contains("operation_timeout", Assert.Single(strict.Slack.Ephemerals("U0SANDBOX")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Button_click_sends_block_actions_with_the_message_and_a_response_url_that_replaces_it()
    {
        var posted = await _host.CallAsync("chat.postMessage", JsonNode.Parse("""
            {"channel":"C0SANDBOX","text":"Job 7 running","blocks":[
              {"type":"section","block_id":"status","text":{"type":"mrkdwn","text":"*Job 7* running"}},
              {"type":"actions","block_id":"job_actions","elements":[{"type":"button","action_id":"job_cancel","text":{"type":"plain_text","text":"Cancel"},"value":"7","style":"danger"}]}]}
            """));
        var ts = posted.S("ts");

        var click = await _host.Slack.ClickButtonAsync("U0SANDBOX", "C0SANDBOX", ts, "job_cancel", Ct);

        var request = Assert.Single(_bot.Received);
        Assert.Equal("interactions", request.Kind);
        var payload = request.Payload;
        Assert.Equal("block_actions", payload["type"]!.GetValue<string>());
        Assert.Equal("U0SANDBOX", payload["user"]!["id"]!.GetValue<string>());
        Assert.Equal(ts, payload["container"]!["message_ts"]!.GetValue<string>());
        Assert.Equal("C0SANDBOX", payload["channel"]!["id"]!.GetValue<string>());
        Assert.Equal(ts, payload["message"]!["ts"]!.GetValue<string>());
        var action = payload["actions"]![0]!;
        Assert.Equal(("job_cancel", "job_actions", "7", "button"), (action["action_id"]!.GetValue<string>(), action["block_id"]!.GetValue<string>(), action["value"]!.GetValue<string>(), action["type"]!.GetValue<string>()));
        Assert.Equal(click.TriggerId, payload["trigger_id"]!.GetValue<string>());

        using var http = new HttpClient();
        using var replace = await http.PostAsJsonAsync(click.ResponseUrl, new { replace_original = true, text = "Job 7 cancelled" }, Ct);
        Assert.True(replace.IsSuccessStatusCode);
        var message = Assert.Single(_host.Slack.ChannelMessages("C0SANDBOX"));
        Assert.Equal("Job 7 cancelled", message.Text);
        Assert.Null(message.Blocks);
    }

    [Fact]
    public async Task Response_url_delete_original_removes_the_clicked_message()
    {
        var ts = (await _host.CallAsync("chat.postMessage", JsonNode.Parse("""
            {"channel":"C0SANDBOX","text":"x","blocks":[{"type":"actions","elements":[{"type":"button","action_id":"dismiss","text":{"type":"plain_text","text":"Dismiss"}}]}]}
            """))).S("ts");
        var click = await _host.Slack.ClickButtonAsync("U0SANDBOX", "C0SANDBOX", ts, "dismiss", Ct);

        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(click.ResponseUrl, new { delete_original = true }, Ct);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Empty(_host.Slack.ChannelMessages("C0SANDBOX"));
    }

    [Fact]
    public async Task Response_url_works_five_times_then_answers_used_url()
    {
        var command = await _host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "job", Ct);
        using var http = new HttpClient();

        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await http.PostAsJsonAsync(command.ResponseUrl, new { text = $"update {i}", response_type = i == 0 ? "in_channel" : "ephemeral" }, Ct);
            statuses.Add((int)response.StatusCode);
            if (i == 5)
                Assert.Contains("used_url", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Equal([200, 200, 200, 200, 200, 404], statuses);
        Assert.Equal("update 0", Assert.Single(_host.Slack.ChannelMessages("C0SANDBOX")).Text);
        Assert.Equal(4, _host.Slack.Ephemerals("U0SANDBOX").Count);
    }

    private async Task<string> OpenModalAsync()
    {
        var command = await _host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "job", Ct);
        var view = ViewsTests.Modal();
        ((JsonArray)view["blocks"]!).Add(JsonNode.Parse("""
            {"type":"input","block_id":"service","label":{"type":"plain_text","text":"Service"},
             "element":{"type":"static_select","action_id":"pick","options":[
               {"text":{"type":"plain_text","text":"web"},"value":"web"},{"text":{"type":"plain_text","text":"worker"},"value":"worker"}]}}
            """));
        ((JsonArray)view["blocks"]!).Add(JsonNode.Parse("""{"type":"section","block_id":"note","text":{"type":"mrkdwn","text":"not an input"}}"""));
        var opened = await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = command.TriggerId, ["view"] = view });
        Assert.True(opened.Ok, opened.Body.ToJsonString());
        _bot.Received.Clear();
        return opened.Body["view"]!["id"]!.GetValue<string>();
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> Values(string command, string service) => new()
    {
        ["command_0"] = new Dictionary<string, string> { ["value"] = command },
        ["service"] = new Dictionary<string, string> { ["pick"] = service },
    };

    [Fact]
    public async Task View_submission_carries_input_state_and_errors_answer_keeps_the_modal_open_with_field_errors()
    {
        var viewId = await OpenModalAsync();
        _bot.OnInteraction = _ => Task.FromResult(Json("""{"response_action":"errors","errors":{"command_0":"Command must not be empty of meaning"}}"""));

        var result = await _host.Slack.SubmitViewAsync("U0SANDBOX", viewId, Values("echo hi", "worker"), Ct);

        var payload = Assert.Single(_bot.Received).Payload;
        Assert.Equal("view_submission", payload["type"]!.GetValue<string>());
        var view = payload["view"]!;
        Assert.Equal(viewId, view["id"]!.GetValue<string>());
        Assert.Equal("job_run", view["callback_id"]!.GetValue<string>());
        Assert.Equal("""{"channel":"C0SANDBOX"}""", view["private_metadata"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(view["hash"]!.GetValue<string>()));
        var values = view["state"]!["values"]!.AsObject();
        Assert.Equal(["command_0", "service"], values.Select(v => v.Key).Order());
        Assert.Equal("plain_text_input", values["command_0"]!["value"]!["type"]!.GetValue<string>());
        Assert.Equal("echo hi", values["command_0"]!["value"]!["value"]!.GetValue<string>());
        Assert.Equal("worker", values["service"]!["pick"]!["selected_option"]!["value"]!.GetValue<string>());

        Assert.Equal("errors", result.ResponseAction);
        Assert.Equal("Command must not be empty of meaning", _host.Slack.OpenView("U0SANDBOX")!.Errors["command_0"]);
    }

    [Fact]
    public async Task Empty_answer_to_a_view_submission_closes_the_modal()
    {
        var viewId = await OpenModalAsync();

        var result = await _host.Slack.SubmitViewAsync("U0SANDBOX", viewId, Values("echo hi", "web"), Ct);

        Assert.Null(result.Error);
        Assert.Null(result.ViewAfter);
        Assert.Null(_host.Slack.OpenView("U0SANDBOX"));
    }

    [Fact]
    public async Task Update_answer_replaces_the_modal_and_clear_closes_it()
    {
        var viewId = await OpenModalAsync();
        var next = ViewsTests.Modal(title: "Confirm");
        _bot.OnInteraction = _ => Task.FromResult(Json(new JsonObject { ["response_action"] = "update", ["view"] = next }.ToJsonString()));

        await _host.Slack.SubmitViewAsync("U0SANDBOX", viewId, Values("echo hi", "web"), Ct);
        Assert.Equal("Confirm", _host.Slack.OpenView("U0SANDBOX")!.Title);

        _bot.OnInteraction = _ => Task.FromResult(Json("""{"response_action":"clear"}"""));
        await _host.Slack.SubmitViewAsync("U0SANDBOX", viewId, new Dictionary<string, IReadOnlyDictionary<string, string>> { ["command_0"] = new Dictionary<string, string> { ["value"] = "x" } }, Ct);
        Assert.Null(_host.Slack.OpenView("U0SANDBOX"));
    }

    [Fact]
    public async Task Errors_on_a_block_that_is_not_an_input_are_not_shown()
    {
        var viewId = await OpenModalAsync();
        _bot.OnInteraction = _ => Task.FromResult(Json("""{"response_action":"errors","errors":{"note":"wrong block"}}"""));

        var result = await _host.Slack.SubmitViewAsync("U0SANDBOX", viewId, Values("echo hi", "web"), Ct);

        Assert.Equal("invalid_response_action", result.Error);
        Assert.Empty(_host.Slack.OpenView("U0SANDBOX")!.Errors);
    }

    [Fact]
    public async Task Empty_required_field_is_caught_by_slacks_client_and_never_reaches_the_bot()
    {
        var viewId = await OpenModalAsync();

        var result = await _host.Slack.SubmitViewAsync("U0SANDBOX", viewId, Values("", "web"), Ct);

        Assert.Equal("client_validation", result.Error);
        Assert.True(result.Errors.ContainsKey("command_0"));
        Assert.Empty(_bot.Received);
    }
}
