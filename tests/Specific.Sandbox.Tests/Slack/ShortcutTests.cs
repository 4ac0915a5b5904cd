using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Specific.Sandbox.SlackStandIn;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>
/// Global shortcuts as Slack has them: only the app's declared shortcuts can be picked, the bot gets a signed
/// <c>shortcut</c> payload with a fresh trigger_id and no channel, and the page offers them from the ⚡ menu.
/// </summary>
public sealed class ShortcutTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string[] ChromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
    private static readonly StandInShortcut RunAJob = new("Run a job", "run_a_job", "Run a one-off job");

    private FakeBot _bot = null!;
    private StandInHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bot = await FakeBot.StartAsync();
        _host = await StandInHost.StartAsync(
            o => (o.AckDeadline, o.TriggerIdLifetime, o.GlobalShortcuts) = (TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), [RunAJob]),
            _bot.Url.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _bot.DisposeAsync();
    }

    [Fact]
    public async Task A_declared_shortcut_sends_a_shortcut_payload_with_a_trigger_that_opens_a_view_and_no_channel()
    {
        var result = await _host.Slack.UseGlobalShortcutAsync("U0SANDBOX", "run_a_job", Ct);

        var request = Assert.Single(_bot.Received);
        Assert.Equal("interactions", request.Kind);
        var payload = request.Payload;
        Assert.Equal(
            ("shortcut", "run_a_job", "U0SANDBOX", "T0SANDBOX", result.TriggerId),
            (payload["type"]!.GetValue<string>(), payload["callback_id"]!.GetValue<string>(), payload["user"]!["id"]!.GetValue<string>(),
             payload["team"]!["id"]!.GetValue<string>(), payload["trigger_id"]!.GetValue<string>()));
        Assert.False(payload.ContainsKey("channel"));
        Assert.False(payload.ContainsKey("response_url"));
        Assert.NotNull(payload["action_ts"]);

        var opened = await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = result.TriggerId, ["view"] = ViewsTests.Modal(title: "Run a job") });
        Assert.True(opened.Body["ok"]!.GetValue<bool>(), opened.Body.ToJsonString());
    }

    [Fact]
    public async Task A_shortcut_the_app_does_not_declare_cannot_be_picked()
    {
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => _host.Slack.UseGlobalShortcutAsync("U0SANDBOX", "not_declared", Ct));
        Assert.Contains("not_declared", thrown.Message, StringComparison.Ordinal);

        using var page = await _host.Http.PostAsJsonAsync(new Uri(_host.Slack.BaseUrl, "sandbox/shortcut"), new { user = "U0SANDBOX", callbackId = "not_declared" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("unknown_shortcut", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(_bot.Received);
    }

    [Fact]
    public async Task A_person_picks_the_shortcut_from_the_page_and_submits_a_form_with_a_channel_picked_from_a_menu()
    {
        if (!File.Exists(Chromium))
            Assert.Skip($"{Chromium} is missing (apt-get install -y chromium)");

        _bot.OnInteraction = request =>
        {
            var payload = request.Payload;
            if (payload["type"]!.GetValue<string>() == "shortcut")
            {
                // ack first, open the form after, as a real bot must
                var trigger = payload["trigger_id"]!.GetValue<string>();
                _ = Task.Run(() => _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = trigger, ["view"] = ChannelForm() }), CancellationToken.None);
            }
            return Task.FromResult(Results.Ok());
        };

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ChromiumArgs, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync(_host.Slack.BaseUrl.ToString());

        await page.Locator("#shortcuts-button").ClickAsync();
        await page.Locator("#shortcuts-menu button[data-callback-id='run_a_job']").ClickAsync();
        var modal = page.Locator("#modal");
        var channels = modal.Locator("select[data-block-id='where']");
        // The menu lists channels by the filter: the private #vault is offered, no direct message is.
        await Assertions.Expect(channels.Locator("option[value='C0VAULT']")).ToHaveCountAsync(1);
        await Assertions.Expect(channels.Locator("option[value^='D']")).ToHaveCountAsync(0);
        await channels.SelectOptionAsync("C0SANDBOX");
        await modal.Locator("button[data-role='submit']").ClickAsync();
        await Assertions.Expect(page.Locator("#modal-backdrop")).ToBeHiddenAsync();

        var submission = _bot.Received.Last().Payload;
        Assert.Equal("view_submission", submission["type"]!.GetValue<string>());
        var picked = submission["view"]!["state"]!["values"]!["where"]!["pick"]!;
        Assert.Equal(("conversations_select", "C0SANDBOX"), (picked["type"]!.GetValue<string>(), picked["selected_conversation"]!.GetValue<string>()));
    }

    private static JsonObject ChannelForm() => new()
    {
        ["type"] = "modal",
        ["callback_id"] = "pick",
        ["title"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Run a job" },
        ["submit"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Run" },
        ["blocks"] = new JsonArray(new JsonObject
        {
            ["type"] = "input",
            ["block_id"] = "where",
            ["label"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Post in" },
            ["element"] = new JsonObject
            {
                ["type"] = "conversations_select",
                ["action_id"] = "pick",
                ["filter"] = new JsonObject { ["include"] = new JsonArray("public", "private"), ["exclude_bot_users"] = true },
            },
        }),
    };
}
