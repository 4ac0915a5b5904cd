using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Specific.Sandbox.SlackStandIn;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>Channels and the bot's membership, as slack.com answers a bot that is, or is not, in a conversation.</summary>
public sealed class MembershipTests : IAsyncLifetime
{
    private const string Vault = "C0VAULT";

    private StandInHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await StandInHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_private_channel_without_the_bot_does_not_exist_for_it_until_it_is_invited()
    {
        var post = await _host.CallAsync("chat.postMessage", new { channel = Vault, text = "hi" });
        var ephemeral = await _host.CallAsync("chat.postEphemeral", new { channel = Vault, user = "U0SANDBOX", text = "hi" });
        var info = await _host.CallAsync("conversations.info", new { channel = Vault });
        var join = await _host.CallAsync("conversations.join", new { channel = Vault });

        Assert.All(new[] { post.Error, ephemeral.Error, info.Error, join.Error }, error => Assert.Equal("channel_not_found", error));
        Assert.Empty(_host.Slack.ChannelMessages(Vault));

        _host.Slack.InviteBot(Vault);

        var invited = await _host.CallAsync("conversations.info", new { channel = Vault });
        Assert.True(invited.Body["channel"]!["is_member"]!.GetValue<bool>());
        Assert.True(invited.Body["channel"]!["is_private"]!.GetValue<bool>());
        Assert.Equal("vault", invited.Body["channel"]!["name"]!.GetValue<string>());
        Assert.True((await _host.CallAsync("chat.postMessage", new { channel = Vault, text = "hi" })).Ok);
        // Invited, still private: it cannot be joined, only invited to.
        Assert.Equal("method_not_supported_for_channel_type", (await _host.CallAsync("conversations.join", new { channel = Vault })).Error);
    }

    [Fact]
    public async Task A_public_channel_without_the_bot_answers_not_in_channel_until_the_bot_joins_it()
    {
        var lobby = _host.Slack.CreateChannel("lobby", isPrivate: false, botMember: false);

        var info = await _host.CallAsync("conversations.info", new { channel = lobby.Id });
        var post = await _host.CallAsync("chat.postMessage", new { channel = lobby.Id, text = "hi" });
        var ephemeral = await _host.CallAsync("chat.postEphemeral", new { channel = lobby.Id, user = "U0SANDBOX", text = "hi" });
        var share = await ShareFileAsync(lobby.Id);

        Assert.False(info.Body["channel"]!["is_member"]!.GetValue<bool>());
        Assert.False(info.Body["channel"]!["is_private"]!.GetValue<bool>());
        Assert.All(new[] { post.Error, ephemeral.Error, share.Error }, error => Assert.Equal("not_in_channel", error));

        var join = await _host.CallAsync("conversations.join", new { channel = lobby.Id });
        var again = await _host.CallAsync("conversations.join", new { channel = lobby.Id });

        Assert.True(join.Ok);
        Assert.True(join.Body["channel"]!["is_member"]!.GetValue<bool>());
        Assert.Equal("already_in_channel", again.Body["warning"]!.GetValue<string>());
        Assert.True((await _host.CallAsync("chat.postMessage", new { channel = lobby.Id, text = "hi" })).Ok);
        Assert.True((await ShareFileAsync(lobby.Id)).Ok);
    }

    [Fact]
    public async Task A_bot_removed_from_a_channel_can_no_longer_update_its_own_message_there()
    {
        var ts = (await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", text = "Job 1 running" })).S("ts");

        _host.Slack.RemoveBot("C0SANDBOX");

        var update = await _host.CallAsync("chat.update", new { channel = "C0SANDBOX", ts, text = "Job 1 succeeded" });
        var reply = await _host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", thread_ts = ts, text = "tick" });
        Assert.Equal(("not_in_channel", "not_in_channel"), (update.Error, reply.Error));
        Assert.Equal("Job 1 running", Assert.Single(_host.Slack.ChannelMessages("C0SANDBOX")).Text);
    }

    [Fact]
    public async Task Chat_write_public_lets_the_app_post_in_public_channels_it_has_not_joined_but_not_in_private_ones()
    {
        await using var host = await StandInHost.StartAsync(o => o.BotScopes.Add(SlackStandInOptions.ChatWritePublicScope));
        var lobby = host.Slack.CreateChannel("lobby", isPrivate: false, botMember: false);

        Assert.True((await host.CallAsync("chat.postMessage", new { channel = lobby.Id, text = "hi" })).Ok);
        Assert.Equal("channel_not_found", (await host.CallAsync("chat.postMessage", new { channel = Vault, text = "hi" })).Error);
        Assert.False(host.Slack.Channel(lobby.Id).BotMember);
    }

    [Fact]
    public async Task Joining_needs_the_channels_join_scope()
    {
        await using var host = await StandInHost.StartAsync(o => o.BotScopes.Remove(SlackStandInOptions.ChannelsJoinScope));
        var lobby = host.Slack.CreateChannel("lobby", isPrivate: false, botMember: false);

        var join = await host.CallAsync("conversations.join", new { channel = lobby.Id });

        Assert.Equal("missing_scope", join.Error);
        Assert.Equal("channels:join", join.Body["needed"]!.GetValue<string>());
        Assert.False(host.Slack.Channel(lobby.Id).BotMember);
    }

    [Fact]
    public async Task Ids_the_workspace_does_not_know_stay_open_to_the_bot_and_a_user_id_posts_into_its_dm()
    {
        var unknown = await _host.CallAsync("chat.postMessage", new { channel = "C0ANYWHERE", text = "hi" });
        var info = await _host.CallAsync("conversations.info", new { channel = "C0ANYWHERE" });
        var dm = await _host.CallAsync("chat.postMessage", new { channel = "U0ALICE", text = "your job stopped" });
        var dmInfo = await _host.CallAsync("conversations.info", new { channel = dm.S("channel") });

        Assert.True(unknown.Ok);
        Assert.True(info.Body["channel"]!["is_member"]!.GetValue<bool>());
        Assert.Equal("D0ALICE", dm.S("channel"));
        Assert.True(dmInfo.Body["channel"]!["is_im"]!.GetValue<bool>());
        Assert.Equal("your job stopped", Assert.Single(_host.Slack.ChannelMessages("D0ALICE")).Text);
    }

    [Fact]
    public async Task The_page_creates_channels_invites_the_bot_and_shows_each_channels_kind()
    {
        using var page = new HttpClient { BaseAddress = _host.Slack.BaseUrl };

        using var created = await page.PostAsJsonAsync("sandbox/channels", new { name = "incidents", @private = true, botMember = false }, Ct);
        using var badName = await page.PostAsJsonAsync("sandbox/channels", new { name = "Big Room", @private = false, botMember = false }, Ct);
        var channel = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["channel"]!;
        var id = channel["id"]!.GetValue<string>();

        Assert.True(created.IsSuccessStatusCode);
        Assert.Equal(("private", false), (channel["kind"]!.GetValue<string>(), channel["bot_member"]!.GetValue<bool>()));
        Assert.Equal(400, (int)badName.StatusCode);
        Assert.Contains("lowercase letters", await badName.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("channel_not_found", (await _host.CallAsync("chat.postMessage", new { channel = id, text = "hi" })).Error);

        using var invited = await page.PostAsJsonAsync("sandbox/invite", new { channel = id }, Ct);
        var state = JsonNode.Parse(await page.GetStringAsync($"sandbox/state?channel={id}", Ct))!;

        Assert.True(invited.IsSuccessStatusCode);
        Assert.True(state["channel"]!["bot_member"]!.GetValue<bool>());
        var kinds = state["channels"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!["kind"]!.GetValue<string>());
        Assert.Equal(("public", "private", "private"), (kinds["ops"], kinds["vault"], kinds["incidents"]));
        Assert.True((await _host.CallAsync("chat.postMessage", new { channel = id, text = "hi" })).Ok);
    }

    /// <summary>Uploads a small file and shares it into the channel, as the bot's full-log upload does.</summary>
    private async Task<ApiResponse> ShareFileAsync(string channel)
    {
        var ticket = await _host.CallFormAsync("files.getUploadURLExternal", new Dictionary<string, string> { ["filename"] = "job.log", ["length"] = "3" });
        using var http = new HttpClient();
        using (var upload = await http.PostAsync(ticket.S("upload_url"), new ByteArrayContent("hi\n"u8.ToArray()), Ct))
            Assert.True(upload.IsSuccessStatusCode);
        return await _host.CallAsync("files.completeUploadExternal", new JsonObject
        {
            ["files"] = new JsonArray(new JsonObject { ["id"] = ticket.S("file_id"), ["title"] = "job log" }),
            ["channel_id"] = channel,
        });
    }
}
