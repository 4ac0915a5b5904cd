using System.Text.Json.Nodes;

namespace Specific.Sandbox.Tests.Slack;

public sealed class WebApiTests : IAsyncLifetime
{
    private StandInHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await StandInHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Call_without_a_token_is_not_authed()
    {
        var response = await _host.CallAsync("auth.test", token: null);

        Assert.Equal(200, response.Status);
        Assert.Equal("not_authed", response.Error);
    }

    [Fact]
    public async Task Call_with_a_wrong_token_is_invalid_auth()
    {
        var response = await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "hi" }, token: "xoxb-wrong");

        Assert.Equal("invalid_auth", response.Error);
        Assert.Empty(_host.Slack.ChannelMessages("C0SANDBOX"));
    }

    [Fact]
    public async Task Token_inside_a_json_body_is_ignored_as_slack_does()
    {
        var response = await _host.CallAsync("auth.test", new JsonObject { ["token"] = StandInHost.Token }, token: null);

        Assert.Equal("not_authed", response.Error);
    }

    [Fact]
    public async Task Token_as_a_form_field_is_accepted()
    {
        var response = await _host.CallFormAsync("auth.test", new Dictionary<string, string> { ["token"] = StandInHost.Token }, bearer: null);

        Assert.True(response.Ok);
        Assert.Equal("T0SANDBOX", response.S("team_id"));
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
    }

    [Fact]
    public async Task Unknown_method_is_refused()
    {
        var response = await _host.CallAsync("chat.scheduleMessageX", new { });

        Assert.Equal(404, response.Status);
        Assert.Equal("unknown_method", response.Error);
    }

    [Fact]
    public async Task Posted_message_has_an_increasing_slack_ts_and_reads_back_from_history()
    {
        var first = await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "first" });
        var second = await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "second" });

        Assert.Matches(@"^\d{10}\.\d{6}$", first.S("ts"));
        Assert.True(decimal.Parse(second.S("ts"), System.Globalization.CultureInfo.InvariantCulture) > decimal.Parse(first.S("ts"), System.Globalization.CultureInfo.InvariantCulture));
        var history = await _host.CallAsync("conversations.history", new { channel = "C0SANDBOX" });
        var texts = history.Body["messages"]!.AsArray().Select(m => m!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(["second", "first"], texts);
        Assert.Equal("B0SPECIFIC", history.Body["messages"]![0]!["bot_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task History_pages_with_limit_and_next_cursor()
    {
        for (var i = 0; i < 5; i++)
            await _host.CallAsync("chat.postMessage", new { channel = "C0PAGING", text = $"m{i}" });

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await _host.CallAsync("conversations.history", new { channel = "C0PAGING", limit = 2, cursor });
            seen.AddRange(page.Body["messages"]!.AsArray().Select(m => m!["text"]!.GetValue<string>()));
            cursor = page.Body["response_metadata"]!["next_cursor"]!.GetValue<string>();
            Assert.Equal(cursor.Length > 0, page.Body["has_more"]!.GetValue<bool>());
            pages++;
        }
        while (cursor.Length > 0);

        Assert.Equal(3, pages);
        Assert.Equal(["m4", "m3", "m2", "m1", "m0"], seen);
    }

    [Fact]
    public async Task History_honours_oldest_and_latest()
    {
        var a = (await _host.CallAsync("chat.postMessage", new { channel = "C0WINDOW", text = "a" })).S("ts");
        var b = (await _host.CallAsync("chat.postMessage", new { channel = "C0WINDOW", text = "b" })).S("ts");
        await _host.CallAsync("chat.postMessage", new { channel = "C0WINDOW", text = "c" });

        var window = await _host.CallAsync("conversations.history", new { channel = "C0WINDOW", oldest = a, latest = b, inclusive = true });

        Assert.Equal(["b", "a"], window.Body["messages"]!.AsArray().Select(m => m!["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Thread_replies_count_on_the_parent_and_read_back_in_order()
    {
        var parent = (await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "parent" })).S("ts");
        await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "r1", thread_ts = parent });
        await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "r2", thread_ts = parent });

        var replies = await _host.CallAsync("conversations.replies", new { channel = "C0SANDBOX", ts = parent });
        var history = await _host.CallAsync("conversations.history", new { channel = "C0SANDBOX" });

        Assert.Equal(["parent", "r1", "r2"], replies.Body["messages"]!.AsArray().Select(m => m!["text"]!.GetValue<string>()));
        var top = Assert.Single(history.Body["messages"]!.AsArray());
        Assert.Equal(2, top!["reply_count"]!.GetValue<int>());
        Assert.Equal(2, _host.Slack.ChannelMessages("C0SANDBOX").Single().ReplyCount);
    }

    [Fact]
    public async Task Update_replaces_text_and_blocks_and_marks_the_message_edited()
    {
        var ts = (await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "running" })).S("ts");

        var update = await _host.CallAsync("chat.update", new
        {
            channel = "C0SANDBOX",
            ts,
            text = "done",
            blocks = new object[] { new { type = "section", text = new { type = "mrkdwn", text = "*done*" } } },
        });

        Assert.True(update.Ok, update.Body.ToJsonString());
        var message = Assert.Single(_host.Slack.ChannelMessages("C0SANDBOX"));
        Assert.Equal("done", message.Text);
        Assert.Contains("*done*", message.VisibleText, StringComparison.Ordinal);
        Assert.NotNull(message.EditedTs);
    }

    [Fact]
    public async Task Update_of_a_missing_message_is_message_not_found()
    {
        var response = await _host.CallAsync("chat.update", new { channel = "C0SANDBOX", ts = "1700000000.000001", text = "x" });

        Assert.Equal("message_not_found", response.Error);
    }

    [Fact]
    public async Task Update_of_a_persons_message_is_cant_update_message()
    {
        var mine = _host.Slack.PostAsPerson("U0SANDBOX", "C0SANDBOX", "typed by a person");

        var response = await _host.CallAsync("chat.update", new { channel = "C0SANDBOX", ts = mine.Ts, text = "x" });

        Assert.Equal("cant_update_message", response.Error);
    }

    [Fact]
    public async Task Bad_channel_id_is_channel_not_found()
    {
        var response = await _host.CallAsync("chat.postMessage", new { channel = "not-a-channel", text = "x" });

        Assert.Equal("channel_not_found", response.Error);
    }

    [Fact]
    public async Task Message_without_text_or_blocks_is_no_text()
    {
        var response = await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "" });

        Assert.Equal("no_text", response.Error);
    }

    [Fact]
    public async Task Blocks_that_are_not_json_are_invalid_blocks_format()
    {
        var response = await _host.CallFormAsync("chat.postMessage", new Dictionary<string, string> { ["channel"] = "C0SANDBOX", ["blocks"] = "[{not json" });

        Assert.Equal("invalid_blocks_format", response.Error);
    }

    [Fact]
    public async Task Form_encoded_blocks_are_read_as_a_json_string()
    {
        var response = await _host.CallFormAsync("chat.postMessage", new Dictionary<string, string>
        {
            ["channel"] = "C0SANDBOX",
            ["text"] = "fallback",
            ["blocks"] = """[{"type":"header","text":{"type":"plain_text","text":"Job 42"}}]""",
        });

        Assert.True(response.Ok, response.Body.ToJsonString());
        Assert.Contains("Job 42", _host.Slack.ChannelMessages("C0SANDBOX").Single().VisibleText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Total_block_text_above_the_limit_is_msg_blocks_too_long()
    {
        var blocks = Enumerable.Range(0, 5).Select(i => new { type = "section", text = new { type = "mrkdwn", text = new string('x', 2900) } }).ToArray();

        var response = await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "t", blocks });

        Assert.Equal("msg_blocks_too_long", response.Error);
    }

    [Fact]
    public async Task Delete_removes_the_message_and_a_second_delete_is_message_not_found()
    {
        var ts = (await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "bye" })).S("ts");

        Assert.True((await _host.CallAsync("chat.delete", new { channel = "C0SANDBOX", ts })).Ok);
        Assert.Equal("message_not_found", (await _host.CallAsync("chat.delete", new { channel = "C0SANDBOX", ts })).Error);
        Assert.Empty(_host.Slack.ChannelMessages("C0SANDBOX"));
    }

    [Fact]
    public async Task Ephemeral_is_kept_for_that_person_only()
    {
        var response = await _host.CallAsync("chat.postEphemeral", new { channel = "C0SANDBOX", user = "U0ALICE", text = "just for alice" });

        Assert.True(response.Ok);
        Assert.Equal("just for alice", Assert.Single(_host.Slack.Ephemerals("U0ALICE")).Text);
        Assert.Empty(_host.Slack.Ephemerals("U0SANDBOX"));
        Assert.Empty(_host.Slack.ChannelMessages("C0SANDBOX"));
    }

    [Fact]
    public async Task Permalink_points_at_the_page_and_leads_to_the_message()
    {
        var ts = (await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "link me" })).S("ts");

        var response = await _host.CallAsync("chat.getPermalink", new { channel = "C0SANDBOX", message_ts = ts });

        var permalink = response.S("permalink");
        Assert.StartsWith(_host.Slack.BaseUrl + "archives/C0SANDBOX/p", permalink, StringComparison.Ordinal);
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var page = await noRedirect.GetAsync(new Uri(permalink), TestContext.Current.CancellationToken);
        Assert.Equal($"/?channel=C0SANDBOX&ts={ts}", page.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Users_info_invents_a_profile_for_any_user_id_and_refuses_other_ids()
    {
        var known = await _host.CallAsync("users.info", new { user = "U0SANDBOX" });
        var invented = await _host.CallAsync("users.info", new { user = "U07ABCDEF" });
        var bad = await _host.CallAsync("users.info", new { user = "C0SANDBOX" });

        Assert.Equal("sandbox-user", known.Body["user"]!["name"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(invented.Body["user"]!["profile"]!["real_name"]!.GetValue<string>()));
        Assert.Equal("user_not_found", bad.Error);
    }

    [Fact]
    public async Task Conversations_info_describes_public_and_private_channels()
    {
        var ops = await _host.CallAsync("conversations.info", new { channel = "C0SANDBOX" });
        var secret = await _host.CallAsync("conversations.info", new { channel = "G0SECRET" });

        Assert.Equal("ops", ops.Body["channel"]!["name"]!.GetValue<string>());
        Assert.True(secret.Body["channel"]!["is_private"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Every_call_is_recorded_with_its_outcome()
    {
        await _host.CallAsync("auth.test", token: null);
        await _host.CallAsync("auth.test");

        Assert.Collection(_host.Slack.Calls,
            c => Assert.Equal(("auth.test", "not_authed"), (c.Method, c.Error)),
            c => Assert.True(c.Ok));
    }

    [Fact]
    public async Task Message_metadata_is_kept_and_read_back_only_when_asked_for()
    {
        var metadata = new JsonObject { ["event_type"] = "job_message", ["event_payload"] = new JsonObject { ["job_id"] = "42" } };
        await _host.CallAsync("chat.postMessage", new JsonObject { ["channel"] = "C0SANDBOX", ["text"] = "Job 42", ["metadata"] = metadata });

        var plain = await _host.CallAsync("conversations.history", new { channel = "C0SANDBOX" });
        var withMetadata = await _host.CallAsync("conversations.history", new { channel = "C0SANDBOX", include_all_metadata = true });
        var bad = await _host.CallAsync("chat.postMessage", new JsonObject { ["channel"] = "C0SANDBOX", ["text"] = "x", ["metadata"] = new JsonObject { ["event_payload"] = new JsonObject() } });

        Assert.Null(plain.Body["messages"]![0]!["metadata"]);
        Assert.Equal("42", withMetadata.Body["messages"]![0]!["metadata"]!["event_payload"]!["job_id"]!.GetValue<string>());
        Assert.Equal("invalid_metadata_format", bad.Error);
    }

    [Fact]
    public async Task Wait_for_message_returns_a_thread_reply_posted_later()
    {
        var parent = (await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "Job 5" })).S("ts");
        var waiting = _host.Slack.WaitForMessageAsync(m => m.ThreadTs == parent && m.Text == "done", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", thread_ts = parent, text = "done" });

        var reply = await waiting;
        Assert.True(reply.IsReply);
        await Assert.ThrowsAsync<TimeoutException>(() => _host.Slack.WaitForMessageAsync(m => m.Text == "never", TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken));
    }
}
