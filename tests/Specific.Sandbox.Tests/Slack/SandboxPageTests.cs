using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Specific.Sandbox.SlackStandIn;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>A person drives the stand-in's page in Debian's chromium: messages, live updates, threads, buttons, modals, slash commands.</summary>
public sealed class SandboxPageTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string[] ChromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Person_reads_blocks_sees_live_updates_opens_a_thread_confirms_a_button_gets_modal_errors_and_runs_a_slash_command()
    {
        if (!File.Exists(Chromium))
            Assert.Skip($"{Chromium} is missing (apt-get install -y chromium)");

        await using var bot = await FakeBot.StartAsync();
        await using var host = await StandInHost.StartAsync(o => (o.AckDeadline, o.TriggerIdLifetime) = (TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15)), bot.Url.ToString());
        bot.OnCommand = r => Task.FromResult(Results.Text(
            new JsonObject { ["response_type"] = "ephemeral", ["text"] = $"Starting `{r.Fields["text"]}`" }.ToJsonString(), "application/json"));
        bot.OnInteraction = request =>
        {
            var payload = request.Payload;
            if (payload["type"]!.GetValue<string>() == "block_actions")
            {
                // ack first, open the modal after, as a real bot must
                var trigger = payload["trigger_id"]!.GetValue<string>();
                _ = Task.Run(() => host.CallAsync("views.open", new JsonObject { ["trigger_id"] = trigger, ["view"] = ViewsTests.Modal(title: "Cancel job 42") }), CancellationToken.None);
                return Task.FromResult(Results.Ok());
            }
            return Task.FromResult(Results.Text("""{"response_action":"errors","errors":{"command_0":"Say why you cancel"}}""", "application/json"));
        };

        var posted = await host.CallAsync("chat.postMessage", JsonNode.Parse("""
            {"channel":"C0SANDBOX","text":"Job 42 running","blocks":[
              {"type":"header","text":{"type":"plain_text","text":"Job 42 · web"}},
              {"type":"section","block_id":"status","text":{"type":"mrkdwn","text":"*Running* for <@U0SANDBOX>\n```echo hello-from-web```"}},
              {"type":"section","fields":[{"type":"mrkdwn","text":"*Service*\nweb"},{"type":"mrkdwn","text":"*Namespace*\nproduction"}]},
              {"type":"context","elements":[{"type":"mrkdwn","text":"started by sandbox-user"}]},
              {"type":"divider"},
              {"type":"actions","elements":[{"type":"button","action_id":"job_cancel","style":"danger","text":{"type":"plain_text","text":"Cancel job"},"value":"42",
                "confirm":{"title":{"type":"plain_text","text":"Cancel job 42?"},"text":{"type":"mrkdwn","text":"The pod gets SIGTERM."},"confirm":{"type":"plain_text","text":"Yes, cancel"},"deny":{"type":"plain_text","text":"Keep it"}}}]}]}
            """));
        var ts = posted.S("ts");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ChromiumArgs, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync(host.Slack.BaseUrl.ToString());

        // Block Kit rendered
        var message = page.Locator($"#messages .message[data-ts='{ts}']");
        await Assertions.Expect(message.Locator(".b-header")).ToHaveTextAsync("Job 42 · web");
        await Assertions.Expect(message.Locator("pre")).ToHaveTextAsync("echo hello-from-web");
        await Assertions.Expect(message.Locator("strong").First).ToHaveTextAsync("Running");
        await Assertions.Expect(message.Locator(".mention")).ToHaveTextAsync("@sandbox-user");
        await Assertions.Expect(message.Locator(".b-fields")).ToContainTextAsync("production");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "slack-standin-blocks.png") });

        // chat.update shows live, without a reload
        await host.CallAsync("chat.update", JsonNode.Parse($$$$"""
            {"channel":"C0SANDBOX","ts":"{{{{ts}}}}","text":"Job 42 succeeded","blocks":[
              {"type":"header","text":{"type":"plain_text","text":"Job 42 · web"}},
              {"type":"section","text":{"type":"mrkdwn","text":"*Succeeded* in 3 s"}},
              {"type":"actions","elements":[{"type":"button","action_id":"job_cancel","style":"danger","text":{"type":"plain_text","text":"Cancel job"},"value":"42",
                "confirm":{"title":{"type":"plain_text","text":"Cancel job 42?"},"text":{"type":"mrkdwn","text":"The pod gets SIGTERM."},"confirm":{"type":"plain_text","text":"Yes, cancel"},"deny":{"type":"plain_text","text":"Keep it"}}}]}]}
            """));
        await Assertions.Expect(message).ToContainTextAsync("Succeeded in 3 s");
        await Assertions.Expect(message.Locator(".edited")).ToBeVisibleAsync();

        // thread with a reply count and a pane
        await Assertions.Expect(page.Locator("#thread-pane")).ToBeHiddenAsync();
        await host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", thread_ts = ts, text = "log: hello-from-web" });
        await host.CallAsync("chat.postMessage", new { channel = "C0SANDBOX", thread_ts = ts, text = "exit code 0" });
        await message.Locator("button.replies", new() { HasText = "2 replies" }).ClickAsync();
        await Assertions.Expect(page.Locator("#thread-pane")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#thread-messages .message")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#thread-messages")).ToContainTextAsync("exit code 0");

        // a button with a confirm dialog: denying sends nothing, confirming sends block_actions
        await message.Locator("button[data-action-id='job_cancel']").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm")).ToContainTextAsync("The pod gets SIGTERM.");
        await page.Locator("#confirm button[data-role='deny']").ClickAsync();
        Assert.Empty(bot.Received);
        await message.Locator("button[data-action-id='job_cancel']").ClickAsync();
        await page.Locator("#confirm button[data-role='confirm']").ClickAsync();

        // the bot opens a modal; a submission answered with errors shows them on the field and the modal stays
        var modal = page.Locator("#modal");
        await Assertions.Expect(modal.Locator(".modal-title")).ToHaveTextAsync("Cancel job 42");
        Assert.Equal("job_cancel", bot.Received.Single(r => r.Kind == "interactions").Payload["actions"]![0]!["action_id"]!.GetValue<string>());
        await modal.Locator("textarea[data-block-id='command_0']").FillAsync("because");
        await modal.Locator("button[data-role='submit']").ClickAsync();
        await Assertions.Expect(modal.Locator(".field-error")).ToHaveTextAsync("Say why you cancel");
        await Assertions.Expect(modal.Locator("textarea[data-block-id='command_0']")).ToHaveValueAsync("because");
        var submission = bot.Received.Last().Payload;
        Assert.Equal("because", submission["view"]!["state"]!["values"]!["command_0"]!["value"]!["value"]!.GetValue<string>());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "slack-standin-modal.png") });
        await modal.Locator("button", new() { HasText = "Cancel" }).Last.ClickAsync();
        await Assertions.Expect(page.Locator("#modal-backdrop")).ToBeHiddenAsync();

        // typing a slash command reaches the bot, and its ephemeral answer shows only to this person
        await page.Locator("#composer").FillAsync("/specific job run web echo hi");
        await page.Locator("#composer").PressAsync("Enter");
        var ephemeral = page.Locator(".message.ephemeral");
        await Assertions.Expect(ephemeral).ToContainTextAsync("Only visible to you");
        await Assertions.Expect(ephemeral.Locator("code")).ToHaveTextAsync("job run web echo hi");
        var command = bot.Received.Single(r => r.Kind == "commands");
        Assert.Equal(("/specific", "job run web echo hi", "U0SANDBOX"), (command.Fields["command"], command.Fields["text"], command.Fields["user_id"]));

        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "slack-standin-page.png") });
        Assert.Empty(host.Slack.DeadlineMisses);
    }

    [Fact]
    public async Task Person_sees_channel_kinds_invites_the_bot_into_the_vault_creates_a_private_channel_and_reads_emoji()
    {
        if (!File.Exists(Chromium))
            Assert.Skip($"{Chromium} is missing (apt-get install -y chromium)");

        await using var host = await StandInHost.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ChromiumArgs, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync(new Uri(host.Slack.BaseUrl, "?channel=C0VAULT").ToString());

        // The vault is private and without the bot: the page says so, and /invite @specific adds it.
        await Assertions.Expect(page.Locator("#channels li[data-channel-id='C0VAULT']")).ToHaveTextAsync("🔒 vault");
        await Assertions.Expect(page.Locator("#channels li[data-channel-id='C0SANDBOX']")).ToHaveTextAsync("# ops");
        await Assertions.Expect(page.Locator("#channel-membership")).ToContainTextAsync("/invite @specific");
        await page.Locator("#composer").FillAsync("/invite @specific");
        await page.Locator("#composer").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#channel-membership")).ToBeHiddenAsync();
        Assert.True(host.Slack.Channel("C0VAULT").BotMember);

        // The bot's shortcodes are emoji, except inside code.
        var posted = await host.CallAsync("chat.postMessage", new { channel = "C0VAULT", text = ":lock: Nothing has started yet: type `:x:` :warning:" });
        var message = page.Locator($"#messages .message[data-ts='{posted.S("ts")}']");
        await Assertions.Expect(message).ToContainTextAsync("🔒 Nothing has started yet");
        await Assertions.Expect(message).ToContainTextAsync("⚠️");
        await Assertions.Expect(message.Locator("code")).ToHaveTextAsync(":x:");

        // A new private channel, without the bot until someone invites it.
        await page.Locator("#new-channel-private").CheckAsync();
        await page.Locator("#new-channel-name").FillAsync("incidents");
        await page.Locator("#new-channel-name").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#channel-title")).ToHaveTextAsync("🔒 incidents");
        await Assertions.Expect(page.Locator("#channel-membership")).ToBeVisibleAsync();
        var incidents = host.Slack.Channels.Single(c => c.Name == "incidents");
        Assert.Equal((ChannelKind.Private, false), (incidents.Kind, incidents.BotMember));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "slack-standin-membership.png") });
    }
}
