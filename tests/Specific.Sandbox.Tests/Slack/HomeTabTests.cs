using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>
/// The App Home tab as Slack has it: views.publish checked like Slack checks it, app_home_opened sent (signed, as JSON)
/// only to an app that subscribes to it, and a Home tab button sent as block_actions on the view.
/// </summary>
public sealed class HomeTabTests : IAsyncLifetime
{
    private const string Alice = "U0ALICE";

    private FakeBot _bot = null!;
    private StandInHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bot = await FakeBot.StartAsync();
        _host = await StandInHost.StartAsync(
            o => (o.HomeTabEnabled, o.BotEvents, o.TriggerIdLifetime) = (true, ["app_home_opened"], TimeSpan.FromSeconds(15)), _bot.Url.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _bot.DisposeAsync();
    }

    internal static JsonObject Home(int sections = 1) => new()
    {
        ["type"] = "home",
        ["blocks"] = new JsonArray(
            [
                new JsonObject
                {
                    ["type"] = "actions",
                    ["block_id"] = "home_actions",
                    ["elements"] = new JsonArray(new JsonObject { ["type"] = "button", ["action_id"] = "home_run_a_job", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Run a job" } }),
                },
                .. Enumerable.Range(0, sections).Select(i => (JsonNode)new JsonObject
                {
                    ["type"] = "section",
                    ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = $"job {i}" },
                }),
            ]),
    };

    [Fact]
    public async Task Publishing_sets_the_persons_Home_tab_and_each_publish_replaces_it_under_the_same_view_id()
    {
        var first = await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = Alice, ["view"] = Home() });
        var second = await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = Alice, ["view"] = Home(sections: 2), ["hash"] = first.Body["view"]!["hash"]!.GetValue<string>() });

        Assert.True(second.Body["ok"]!.GetValue<bool>(), second.Body.ToJsonString());
        Assert.Equal("home", second.Body["view"]!["type"]!.GetValue<string>());
        Assert.Equal(first.Body["view"]!["id"]!.GetValue<string>(), second.Body["view"]!["id"]!.GetValue<string>());
        Assert.NotEqual(first.Body["view"]!["hash"]!.GetValue<string>(), second.Body["view"]!["hash"]!.GetValue<string>());
        var shown = _host.Slack.HomeOf(Alice)!;
        Assert.Equal(2, shown.Publishes);
        Assert.Contains("job 1", shown.View.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_publish_Slack_would_refuse_is_refused_with_Slacks_error_and_changes_nothing()
    {
        var published = await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = Alice, ["view"] = Home() });
        var modal = Home();
        modal["type"] = "modal";

        var noUser = await _host.CallAsync("views.publish", new JsonObject { ["view"] = Home() });
        var notHome = await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = Alice, ["view"] = modal });
        var tooMany = await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = Alice, ["view"] = Home(sections: 100) });
        var notAPerson = await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = "C0SANDBOX", ["view"] = Home() });
        var stale = await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = Alice, ["view"] = Home(sections: 3), ["hash"] = "1.stale" });

        Assert.Equal(
            ("invalid_arguments", "invalid_arguments", "invalid_arguments", "not_found", "hash_conflict"),
            (Error(noUser), Error(notHome), Error(tooMany), Error(notAPerson), Error(stale)));
        Assert.Contains(Messages(noUser), m => m.Contains("user_id", StringComparison.Ordinal));
        Assert.Contains(Messages(notHome), m => m.Contains("/view/type", StringComparison.Ordinal));
        Assert.Contains(Messages(tooMany), m => m.Contains("no more than 100 items", StringComparison.Ordinal));
        Assert.Equal(published.Body["view"]!["hash"]!.GetValue<string>(), _host.Slack.HomeOf(Alice)!.Hash);
    }

    [Fact]
    public async Task An_app_without_a_Home_tab_gets_not_enabled_and_no_app_home_opened()
    {
        await using var host = await StandInHost.StartAsync(botUrl: _bot.Url.ToString());

        var refused = await host.CallAsync("views.publish", new JsonObject { ["user_id"] = Alice, ["view"] = Home() });
        var sent = await host.Slack.OpenHomeAsync(Alice, Ct);

        Assert.Equal("not_enabled", Error(refused));
        Assert.Null(sent);
        Assert.Empty(_bot.Received);
    }

    [Fact]
    public async Task Opening_Home_sends_a_signed_json_app_home_opened_with_the_view_published_before()
    {
        var first = await _host.Slack.OpenHomeAsync(Alice, Ct);
        await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = Alice, ["view"] = Home() });
        await _host.Slack.OpenHomeAsync(Alice, Ct);

        Assert.Equal(200, first!.StatusCode);
        var received = _bot.Received.ToList();
        Assert.All(received, r => Assert.Equal(("events", "application/json"), (r.Kind, r.ContentType.Split(';')[0])));
        Assert.All(received, r => Assert.Equal(Signature(r.Timestamp, r.RawBody), r.Signature));
        var (before, after) = (JsonNode.Parse(received[0].RawBody)!, JsonNode.Parse(received[1].RawBody)!);
        Assert.Equal(("event_callback", "app_home_opened", Alice, "home"), (
            before["type"]!.GetValue<string>(), before["event"]!["type"]!.GetValue<string>(), before["event"]!["user"]!.GetValue<string>(), before["event"]!["tab"]!.GetValue<string>()));
        Assert.StartsWith("D", before["event"]!["channel"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(before["event"]!["view"]);
        Assert.Equal("home", after["event"]!["view"]!["type"]!.GetValue<string>());
        Assert.Equal(_host.Slack.HomeOf(Alice)!.Hash, after["event"]!["view"]!["hash"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_Home_tab_button_sends_block_actions_on_the_view_with_a_trigger_that_opens_a_modal()
    {
        await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = Alice, ["view"] = Home() });

        var result = await _host.Slack.ClickHomeButtonAsync(Alice, "home_run_a_job", Ct);

        var payload = Assert.Single(_bot.Received, r => r.Kind == "interactions").Payload;
        Assert.Equal(("block_actions", "view", "home", "home_run_a_job"), (
            payload["type"]!.GetValue<string>(), payload["container"]!["type"]!.GetValue<string>(), payload["view"]!["type"]!.GetValue<string>(),
            payload["actions"]![0]!["action_id"]!.GetValue<string>()));
        Assert.False(payload.ContainsKey("channel"));
        Assert.False(payload.ContainsKey("response_url"));
        var opened = await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = result.TriggerId, ["view"] = ViewsTests.Modal() });
        Assert.True(opened.Body["ok"]!.GetValue<bool>(), opened.Body.ToJsonString());
    }

    [Fact]
    public async Task On_the_page_the_Home_tab_fires_app_home_opened_shows_the_view_live_and_sends_its_button()
    {
        const string Chromium = "/usr/bin/chromium";
        if (!File.Exists(Chromium))
            Assert.Skip($"{Chromium} is missing (apt-get install -y chromium)");

        // As a bot must: acknowledge app_home_opened, then publish.
        _bot.OnEvent = request =>
        {
            var user = JsonNode.Parse(request.RawBody)!["event"]!["user"]!.GetValue<string>();
            _ = Task.Run(() => _host.CallAsync("views.publish", new JsonObject { ["user_id"] = user, ["view"] = Home() }), CancellationToken.None);
            return Task.FromResult(Results.Ok());
        };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync(_host.Slack.BaseUrl.ToString());

        await page.Locator("#home-tab").ClickAsync();
        await Assertions.Expect(page.Locator("#home")).ToContainTextAsync("job 0");
        await Assertions.Expect(page.Locator("#composer-form")).ToBeHiddenAsync();
        Assert.Contains(_bot.Received, r => r.Kind == "events" && r.RawBody.Contains("\"user\":\"U0SANDBOX\"", StringComparison.Ordinal));

        // A later publish shows without reopening the tab, as the page refreshes messages.
        await _host.CallAsync("views.publish", new JsonObject { ["user_id"] = "U0SANDBOX", ["view"] = Home(sections: 2) });
        await Assertions.Expect(page.Locator("#home")).ToContainTextAsync("job 1");

        await page.Locator("#home button[data-action-id='home_run_a_job']").ClickAsync();
        await FakeBotReceived(r => r.Kind == "interactions" && r.Payload["container"]?["type"]?.GetValue<string>() == "view", "the Home button's block_actions");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "slack-standin-home.png") });
    }

    private async Task FakeBotReceived(Func<ReceivedRequest, bool> match, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!_bot.Received.Any(match))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"Timed out waiting for {what}.");
            await Task.Delay(20, Ct);
        }
    }

    private static string Signature(string timestamp, string body) =>
        "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(StandInHost.Secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));

    private static string? Error(ApiResponse response) => response.Body["error"]?.GetValue<string>();

    private static IEnumerable<string> Messages(ApiResponse response) =>
        (response.Body["response_metadata"]?["messages"] as JsonArray ?? []).Select(m => m!.GetValue<string>());
}
