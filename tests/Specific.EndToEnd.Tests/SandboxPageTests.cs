using Microsoft.Playwright;
using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>A person uses the stand-in's page in Debian's chromium, against the bot running as its own process.</summary>
public sealed class SandboxPageTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    [Fact]
    public async Task Person_types_the_first_command_watches_it_succeed_reads_the_thread_and_reruns_it_from_the_modal()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is missing (apt-get install -y chromium)");
        }

        await using var sandbox = await JobsSandbox.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ChromiumArgs, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        Assertions.SetDefaultExpectTimeout(20_000);
        await page.GotoAsync(new Uri(sandbox.Slack.BaseUrl, $"?channel={sandbox.ChannelId}").ToString());

        var before = sandbox.MessagesNow();
        await page.Locator("#composer").FillAsync("/specific job run web echo $GREETING");
        await page.Locator("#composer").PressAsync("Enter");
        var job = await sandbox.WaitForNewJob(before, "typing the command on the page");

        var message = page.Locator($"#messages .message[data-ts='{job.Ts}']");
        await Assertions.Expect(message).ToContainTextAsync("Succeeded");
        await Assertions.Expect(message).ToContainTextAsync("echo $GREETING");
        await Assertions.Expect(message.Locator("button[data-action-id='job_cancel']")).ToHaveCountAsync(0);

        await message.Locator("button.replies").First.ClickAsync();
        await Assertions.Expect(page.Locator("#thread-pane")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#thread-messages")).ToContainTextAsync("hello-from-web");
        await Assertions.Expect(page.Locator("#thread-messages")).ToContainTextAsync("Succeeded");
        await page.ScreenshotAsync(new() { Path = "/tmp/e2e-sandbox-page-thread.png" });

        await message.Locator("button[data-action-id='job_rerun']").ClickAsync();
        var modal = page.Locator("#modal");
        await Assertions.Expect(modal.Locator(".modal-title")).ToHaveTextAsync("Run a job");
        await Assertions.Expect(modal.Locator("textarea[data-action-id='job_modal_command']")).ToHaveValueAsync("echo $GREETING");
        await Assertions.Expect(modal.Locator("[data-block-id^='job_service'][data-action-id='job_modal_service']")).ToHaveValueAsync("web");
        await page.ScreenshotAsync(new() { Path = "/tmp/e2e-sandbox-page-modal.png" });

        var beforeRerun = sandbox.MessagesNow();
        await modal.Locator("button[data-role='submit']").ClickAsync();
        await Assertions.Expect(page.Locator("#modal-backdrop")).ToBeHiddenAsync();
        var rerun = await sandbox.WaitForNewJob(beforeRerun, "submitting the re-run modal on the page");
        await Assertions.Expect(page.Locator($"#messages .message[data-ts='{rerun.Ts}']")).ToContainTextAsync("Succeeded");
        await page.ScreenshotAsync(new() { Path = "/tmp/e2e-sandbox-page.png", FullPage = true });

        Assert.NotEqual(job.Id, rerun.Id);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }
}
