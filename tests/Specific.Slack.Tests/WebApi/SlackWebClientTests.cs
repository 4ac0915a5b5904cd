using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Specific.Slack.BlockKit;
using Specific.Slack.WebApi;

namespace Specific.Slack.Tests.WebApi;

public sealed class SlackWebClientTests : IAsyncLifetime
{
    private ScriptedSlackServer _server = null!;
    private ServiceProvider _services = null!;
    private SlackWebClient _client = null!;
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ScriptedSlackServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = "xoxb-test",
            ["Slack:ApiBaseUrl"] = _server.ApiUrl.ToString().TrimEnd('/'),
            ["Slack:RequestTimeout"] = "00:00:02",
        }).Build();
        _services = new ServiceCollection().AddSlackWebClient(configuration).BuildServiceProvider();
        _client = _services.GetRequiredService<SlackWebClient>();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task PostMessage_sends_a_json_body_with_the_bearer_token_and_returns_the_ts()
    {
        _server.ThenJson("""{"ok":true,"channel":"C1","ts":"1700000000.000100","message":{}}""");

        var posted = await _client.PostMessageAsync(
            "C1", new SlackMessage("hi", [new SectionBlock(new Mrkdwn("*hi*"))]), threadTs: "1699.1", cancellationToken: Ct);

        Assert.Equal(new PostedMessage("C1", "1700000000.000100"), posted);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/api/chat.postMessage", request.Path);
        Assert.Equal("Bearer xoxb-test", request.Authorization);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("C1", body["channel"]!.GetValue<string>());
        Assert.Equal("hi", body["text"]!.GetValue<string>());
        Assert.Equal("1699.1", body["thread_ts"]!.GetValue<string>());
        Assert.Equal("section", body["blocks"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ok_false_becomes_a_SlackApiException_with_the_error_and_metadata()
    {
        _server.ThenJson("""{"ok":false,"error":"invalid_blocks","response_metadata":{"messages":["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]}}""");

        var error = await Assert.ThrowsAsync<SlackApiException>(() => _client.UpdateMessageAsync("C1", "1.2", new SlackMessage("x"), Ct));

        Assert.Equal("chat.update", error.Method);
        Assert.Equal("invalid_blocks", error.Error);
        Assert.Contains("/blocks/0/text/text", Assert.Single(error.ResponseMetadataMessages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_429_becomes_a_SlackRateLimitedException_carrying_Retry_After_and_is_not_retried()
    {
        _server.ThenJson("""{"ok":false,"error":"ratelimited"}""", status: 429, retryAfter: "7");

        var error = await Assert.ThrowsAsync<SlackRateLimitedException>(() => _client.PostMessageAsync("C1", new SlackMessage("x"), cancellationToken: Ct));

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal("chat.postMessage", error.Method);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Http_5xx_and_a_dead_server_become_SlackTransientException()
    {
        _server.ThenJson("upstream broke", status: 503);
        var unavailable = await Assert.ThrowsAsync<SlackTransientException>(() => _client.DeleteMessageAsync("C1", "1.2", Ct));
        Assert.Contains("503", unavailable.Message, StringComparison.Ordinal);

        _server.Then(async context => await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted));
        var timeout = await Assert.ThrowsAsync<SlackTransientException>(() => _client.DeleteMessageAsync("C1", "1.2", Ct));
        Assert.Contains("no answer", timeout.Message, StringComparison.Ordinal);

        await _server.DisposeAsync();
        var refused = await Assert.ThrowsAsync<SlackTransientException>(() => _client.DeleteMessageAsync("C1", "1.2", Ct));
        Assert.IsType<HttpRequestException>(refused.InnerException);
        _server = await ScriptedSlackServer.StartAsync();
    }

    [Fact]
    public async Task UploadFile_gets_an_upload_url_posts_the_bytes_then_completes_into_the_thread()
    {
        _server.ThenJson($$"""{"ok":true,"upload_url":"{{_server.BaseUrl}}upload/F123","file_id":"F123"}""");
        _server.ThenJson("OK - 11");
        _server.ThenJson("""{"ok":true,"files":[{"id":"F123","title":"j-1.log"}]}""");
        var bytes = Encoding.UTF8.GetBytes("hello\nworld");

        var file = await _client.UploadFileAsync("C1", "1700.1", "j-1.log", "Full log", new MemoryStream(bytes), bytes.Length, Ct);

        Assert.Equal("F123", file.Id);
        var requests = _server.Requests.ToArray();
        Assert.Equal(3, requests.Length);
        Assert.Equal("/api/files.getUploadURLExternal", requests[0].Path);
        Assert.Equal("filename=j-1.log&length=11", requests[0].Body);
        Assert.Equal("/upload/F123", requests[1].Path);
        Assert.Equal("hello\nworld", requests[1].Body);
        Assert.Equal("/api/files.completeUploadExternal", requests[2].Path);
        var complete = JsonNode.Parse(requests[2].Body)!;
        Assert.Equal("F123", complete["files"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("Full log", complete["files"]![0]!["title"]!.GetValue<string>());
        Assert.Equal("C1", complete["channel_id"]!.GetValue<string>());
        Assert.Equal("1700.1", complete["thread_ts"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenView_sends_the_trigger_and_the_modal()
    {
        _server.ThenJson("""{"ok":true,"view":{"id":"V1","hash":"h1"}}""");
        var view = new ModalView(new PlainText("Run a job"), [new SectionBlock(new Mrkdwn("hi"))]) { CallbackId = "job_run" };

        var opened = await _client.OpenViewAsync("trigger-1", view, Ct);

        Assert.Equal(new OpenedView("V1", "h1", null), opened);
        var body = JsonNode.Parse(Assert.Single(_server.Requests).Body)!;
        Assert.Equal("trigger-1", body["trigger_id"]!.GetValue<string>());
        Assert.Equal("modal", body["view"]!["type"]!.GetValue<string>());
        Assert.Equal("job_run", body["view"]!["callback_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task PublishView_sends_the_user_and_a_home_view_and_returns_its_hash()
    {
        _server.ThenJson("""{"ok":true,"view":{"id":"V9","type":"home","hash":"h9"}}""");
        var view = new HomeView([new HeaderBlock(new PlainText("Your jobs"))]) { CallbackId = "home" };

        var published = await _client.PublishViewAsync("U0ANA", view, hash: "h8", cancellationToken: Ct);

        Assert.Equal(new OpenedView("V9", "h9", null), published);
        var request = Assert.Single(_server.Requests);
        Assert.EndsWith("/views.publish", request.Path, StringComparison.Ordinal);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("U0ANA", body["user_id"]!.GetValue<string>());
        Assert.Equal("h8", body["hash"]!.GetValue<string>());
        Assert.Equal("home", body["view"]!["type"]!.GetValue<string>());
        Assert.Equal("header", body["view"]!["blocks"]![0]!["type"]!.GetValue<string>());
        Assert.Null(body["view"]!["title"]);
    }

    [Fact]
    public void A_home_view_is_held_to_a_hundred_blocks_and_its_metadata_limits()
    {
        Assert.Empty(BlockKitLimits.Check(new HomeView([new DividerBlock()])));
        var errors = BlockKitLimits.Check(new HomeView(Enumerable.Range(0, 101).Select(_ => (Block)new DividerBlock()).ToList())
        {
            PrivateMetadata = new string('x', 3001),
        });

        Assert.Contains(errors, e => e.Contains("home: 101 blocks", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("home.private_metadata", StringComparison.Ordinal));
        Assert.NotEmpty(BlockKitLimits.Check(new HomeView([])));
    }

    [Fact]
    public async Task Read_methods_parse_their_answers()
    {
        _server.ThenJson("""{"ok":true,"url":"https://x.slack.com/","team":"X","user":"bot","team_id":"T1","user_id":"U1","bot_id":"B1"}""");
        _server.ThenJson("""{"ok":true,"user":{"id":"U2","name":"alice","real_name":"Alice A","tz":"Europe/Paris","profile":{"display_name":"ali"}}}""");
        _server.ThenJson("""{"ok":true,"channel":{"id":"C1","name":"ops","is_channel":true,"is_private":false,"is_member":true}}""");
        _server.ThenJson("""{"ok":true,"channel":"C1","permalink":"https://x.slack.com/archives/C1/p1700"}""");

        var identity = await _client.AuthTestAsync(Ct);
        var user = await _client.GetUserAsync("U2", Ct);
        var channel = await _client.GetConversationAsync("C1", Ct);
        var link = await _client.GetPermalinkAsync("C1", "1700.0", Ct);

        Assert.Equal("U1", identity.UserId);
        Assert.Equal("B1", identity.BotId);
        Assert.Equal(new SlackUserInfo("U2", "alice", "Alice A", "ali", false, false, "Europe/Paris"), user);
        Assert.Equal(new SlackConversationInfo("C1", "ops", true, false, false, true), channel);
        Assert.Equal("https://x.slack.com/archives/C1/p1700", link.ToString());
        Assert.Equal("user=U2", _server.Requests.ElementAt(1).Body);
    }

    [Fact]
    public async Task Response_url_posts_carry_no_token_and_a_spent_url_is_an_error()
    {
        var url = new Uri(_server.BaseUrl, "hooks/commands/T1/1/abc");
        await _client.PostToResponseUrlAsync(url, SlackMessage.Ephemeral("done"), Ct);
        _server.ThenJson("""{"ok":false,"error":"used_url"}""");
        var error = await Assert.ThrowsAsync<SlackApiException>(() => _client.PostToResponseUrlAsync(url, SlackMessage.Ephemeral("again"), Ct));

        Assert.Equal("used_url", error.Error);
        var first = _server.Requests.First();
        Assert.Equal("", first.Authorization);
        Assert.Equal("""{"text":"done","response_type":"ephemeral"}""", first.Body);
    }

    [Fact]
    public async Task Calls_and_rate_limits_are_counted_on_the_Specific_Slack_meter()
    {
        var calls = new List<(string Instrument, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SlackMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            string? outcome = null;
            foreach (var tag in tags) if (tag.Key == "outcome") outcome = (string?)tag.Value;
            lock (calls) calls.Add((instrument.Name, outcome));
        });
        listener.Start();

        _server.ThenJson("""{"ok":true,"channel":"C1","ts":"1.1"}""");
        _server.ThenJson("{}", status: 429, retryAfter: "1");
        await _client.PostMessageAsync("C1", new SlackMessage("a"), cancellationToken: Ct);
        await Assert.ThrowsAsync<SlackRateLimitedException>(() => _client.PostMessageAsync("C1", new SlackMessage("b"), cancellationToken: Ct));

        lock (calls)
        {
            Assert.Contains(("slack.api.calls", "ok"), calls);
            Assert.Contains(("slack.api.calls", "rate_limited"), calls);
            Assert.Contains(("slack.api.rate_limited", null), calls);
        }
    }

    [Fact]
    public void Options_without_a_bot_token_fail_validation_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:ApiBaseUrl"] = "not a url",
        }).Build();
        using var provider = new ServiceCollection().AddSlackWebClient(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SlackOptions>>().Value);
        Assert.Contains(error.Failures, failure => failure.Contains("BotToken", StringComparison.Ordinal));
        Assert.Contains(error.Failures, failure => failure.Contains("ApiBaseUrl", StringComparison.Ordinal));
    }
}
