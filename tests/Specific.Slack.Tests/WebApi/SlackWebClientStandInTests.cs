using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.BlockKit;
using Specific.Slack.WebApi;

namespace Specific.Slack.Tests.WebApi;

/// <summary>The real client against the Slack stand-in over loopback HTTP: what Slack would accept, judged independently.</summary>
public sealed class SlackWebClientStandInTests : IAsyncLifetime
{
    private const string Token = "xoxb-client-standin-test";
    private SlackStandIn _slack = null!;
    private ServiceProvider _services = null!;
    private SlackWebClient _client = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _slack = await SlackStandIn.StartAsync(new SlackStandInOptions
        {
            Url = "http://127.0.0.1:0",
            BotToken = Token,
            SigningSecret = "client-standin-secret",
            BotUrl = "http://127.0.0.1:9/",
            RateLimits = SlackRateLimits.Off,
        }, ct: Ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Token,
            ["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString(),
        }).Build();
        _services = new ServiceCollection().AddSlackWebClient(configuration).BuildServiceProvider();
        _client = _services.GetRequiredService<SlackWebClient>();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task A_private_reply_in_a_channel_is_ephemeral_there_and_with_no_conversation_goes_to_the_persons_direct_message()
    {
        await _client.TellAsync(new ReplyTarget(ResponseUrl: null, ChannelId: "C0OPS", UserId: "U0ALICE"), "only you see this", Ct);
        // A shortcut, an App Home button or a modal names no conversation and gives no response_url.
        await _client.TellAsync(new ReplyTarget(ResponseUrl: null, ChannelId: null, UserId: "U0ALICE"), "the form could not open", Ct);

        var ephemeral = Assert.Single(_slack.Ephemerals("U0ALICE"));
        Assert.Equal(("C0OPS", "only you see this"), (ephemeral.ChannelId, ephemeral.Text));
        Assert.Empty(_slack.ChannelMessages("C0OPS"));
        var direct = _slack.Channels.Where(channel => channel.Kind == ChannelKind.DirectMessage).SelectMany(channel => _slack.ChannelMessages(channel.Id));
        Assert.Equal("the form could not open", Assert.Single(direct).Text);
    }

    [Fact]
    public async Task Post_update_reply_upload_and_read_back_as_Slack_would_show_them()
    {
        var posted = await _client.PostMessageAsync("C0OPS", new SlackMessage("job started", [new SectionBlock(new Mrkdwn("*job* started"))]), cancellationToken: Ct);
        await _client.UpdateMessageAsync("C0OPS", posted.Ts, new SlackMessage("job done", [new HeaderBlock(new PlainText("✅ done"))]), Ct);
        await _client.PostMessageAsync("C0OPS", new SlackMessage("a reply"), posted.Ts, Ct);
        var bytes = Encoding.UTF8.GetBytes("line 1\nline 2\n");
        var file = await _client.UploadFileAsync("C0OPS", posted.Ts, "j-1.log", "Full log of j-1", new MemoryStream(bytes), bytes.Length, Ct);
        var link = await _client.GetPermalinkAsync("C0OPS", posted.Ts, Ct);

        var message = Assert.Single(_slack.ChannelMessages("C0OPS"));
        Assert.Equal(posted.Ts, message.Ts);
        Assert.Contains("✅ done", message.VisibleText, StringComparison.Ordinal);
        var thread = _slack.ThreadReplies("C0OPS", posted.Ts);
        Assert.Contains(thread, reply => reply.Text == "a reply");
        var uploaded = Assert.Single(_slack.Files);
        Assert.Equal(file.Id, uploaded.Id);
        Assert.Equal(bytes, uploaded.Content.ToArray());
        Assert.Contains(posted.Ts.Replace(".", "", StringComparison.Ordinal), link.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_methods_sent_as_forms_are_understood()
    {
        var identity = await _client.AuthTestAsync(Ct);
        var user = await _client.GetUserAsync("U0ALICE", Ct);
        var channel = await _client.GetConversationAsync("C0OPS", Ct);

        Assert.False(string.IsNullOrEmpty(identity.UserId));
        Assert.Equal("U0ALICE", user.Id);
        Assert.Equal("C0OPS", channel.Id);
    }

    [Fact]
    public async Task Membership_is_read_and_a_public_channel_joined_while_a_private_one_stays_hidden()
    {
        var lobby = _slack.CreateChannel("lobby", isPrivate: false, botMember: false);

        var before = await _client.GetConversationAsync(lobby.Id, Ct);
        var joined = await _client.JoinConversationAsync(lobby.Id, Ct);
        var dm = await _client.GetConversationAsync("D0SANDBOX", Ct);
        var hidden = await Assert.ThrowsAsync<SlackApiException>(() => _client.GetConversationAsync("C0VAULT", Ct));
        var notJoinable = await Assert.ThrowsAsync<SlackApiException>(() => _client.JoinConversationAsync("C0VAULT", Ct));
        var notPosted = await Assert.ThrowsAsync<SlackApiException>(() => _client.PostMessageAsync("C0VAULT", new SlackMessage("hi"), cancellationToken: Ct));

        Assert.Equal((false, false, true), (before.IsMember, before.IsPrivate, joined.IsMember));
        Assert.True(dm.IsIm);
        Assert.Equal(SlackErrors.ChannelNotFound, hidden.Error);
        Assert.Equal(SlackErrors.ChannelNotFound, notJoinable.Error);
        Assert.Equal(SlackErrors.ChannelNotFound, notPosted.Error);
    }

    [Fact]
    public async Task Blocks_over_Slacks_limits_are_refused_with_the_stand_ins_own_judgement()
    {
        var tooLong = new SlackMessage("x", [new SectionBlock(new Mrkdwn(new string('x', 3001)))]);

        var error = await Assert.ThrowsAsync<SlackApiException>(() => _client.PostMessageAsync("C0OPS", tooLong, cancellationToken: Ct));

        Assert.Equal("invalid_blocks", error.Error);
        Assert.NotEmpty(error.ResponseMetadataMessages);
        Assert.NotEmpty(BlockKitLimits.Check(tooLong));
    }

    [Fact]
    public async Task A_429_carries_Retry_After_and_a_500_is_transient()
    {
        _slack.Faults.RateLimitNext(1, "chat.postMessage", retryAfterSeconds: 4);
        var limited = await Assert.ThrowsAsync<SlackRateLimitedException>(() => _client.PostMessageAsync("C0OPS", new SlackMessage("x"), cancellationToken: Ct));
        Assert.Equal(TimeSpan.FromSeconds(4), limited.RetryAfter);

        _slack.Faults.ServerErrorNext(1, "chat.update");
        await Assert.ThrowsAsync<SlackTransientException>(() => _client.UpdateMessageAsync("C0OPS", "1.2", new SlackMessage("x"), Ct));
    }

    [Fact]
    public async Task Publishing_a_Home_tab_for_an_app_without_one_is_refused_as_not_enabled()
    {
        var refused = await Assert.ThrowsAsync<SlackApiException>(
            () => _client.PublishViewAsync("U0ANA", new HomeView([new SectionBlock(new Mrkdwn("hi"))]), cancellationToken: Ct));

        Assert.Equal("not_enabled", refused.Error);
        Assert.Null(_slack.HomeOf("U0ANA"));
    }
}
