using System.Net;
using System.Text.Json;
using Specific.Jobs.Domain;
using Specific.JobsBot.FrontDoor;
using Specific.JobsBot.Home;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Home;

/// <summary>
/// POST /slack/events over the bot's real HTTP pipeline: signed like every endpoint, the URL check answered, and
/// app_home_opened acknowledged empty at once, then the viewer's own jobs published to their Home tab, again as they change.
/// </summary>
public sealed class HomeEndpointTests : IAsyncLifetime
{
    private const string Alice = "U0ALICE";
    private const string Bob = "U0BOB";

    private FrontDoorApp _bot = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A long interval, so a second publish for one person can only come from coalescing going wrong; a test that wants
    // republishing starts its own bot with a short one.
    public async ValueTask InitializeAsync() =>
        _bot = await FrontDoorApp.StartAsync(settings: new Dictionary<string, string?> { ["Home:PublishInterval"] = "00:01:00" });

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task The_url_check_is_answered_with_its_challenge()
    {
        var response = await _bot.PostSignedAsync(SlackFrontDoor.EventsPath, """{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV","type":"url_verification"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV", JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("challenge").GetString());
    }

    [Fact]
    public async Task An_unsigned_event_is_refused_and_an_unreadable_one_is_a_400()
    {
        using var unsigned = await _bot.Client.PostAsync(
            SlackFrontDoor.EventsPath, new StringContent(AppHomeOpened(Alice), System.Text.Encoding.UTF8, "application/json"), Ct);
        var unreadable = await _bot.PostSignedAsync(SlackFrontDoor.EventsPath, """{"type":"event_callback","event":"nope"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
        Assert.DoesNotContain(_bot.Slack.Calls, c => c.Path == "/api/views.publish");
    }

    [Fact]
    public async Task Opening_Home_publishes_the_viewers_jobs_and_nobody_elses_once_even_when_Slack_retries()
    {
        await CreateJobAsync(Alice, "echo alices-job");
        await CreateJobAsync(Bob, "echo bobs-job");

        var response = await _bot.PostSignedAsync(SlackFrontDoor.EventsPath, AppHomeOpened(Alice));
        var published = await _bot.Slack.WaitForAsync("/api/views.publish", c => UserOf(c.Json) == Alice);
        var retried = await _bot.PostSignedAsync(SlackFrontDoor.EventsPath, AppHomeOpened(Alice), retryNum: 1);
        // Bob opens Home after the retry: once his tab is out, the publisher has seen the retry too.
        await _bot.PostSignedAsync(SlackFrontDoor.EventsPath, AppHomeOpened(Bob));
        await _bot.Slack.WaitForAsync("/api/views.publish", c => UserOf(c.Json) == Bob);

        Assert.Equal((HttpStatusCode.OK, ""), (response.StatusCode, await response.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var view = published.Json.GetProperty("view");
        Assert.Equal("home", view.GetProperty("type").GetString());
        Assert.Contains("alices-job", view.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("bobs-job", view.GetRawText(), StringComparison.Ordinal);
        Assert.Single(_bot.Slack.Calls, c => c.Path == "/api/views.publish" && UserOf(c.Json) == Alice);
    }

    [Fact]
    public async Task The_messages_tab_and_other_events_publish_nothing()
    {
        await _bot.PostSignedAsync(SlackFrontDoor.EventsPath, AppHomeOpened(Alice, tab: "messages"));
        await _bot.PostSignedAsync(SlackFrontDoor.EventsPath, """{"type":"event_callback","event":{"type":"reaction_added","user":"U0ALICE"}}""");
        await _bot.PostSignedAsync(SlackFrontDoor.EventsPath, AppHomeOpened(Bob));
        await _bot.Slack.WaitForAsync("/api/views.publish", c => UserOf(c.Json) == Bob);

        Assert.DoesNotContain(_bot.Slack.Calls, c => c.Path == "/api/views.publish" && UserOf(c.Json) == Alice);
    }

    [Fact]
    public async Task A_viewers_tab_is_published_again_when_one_of_their_jobs_changes()
    {
        await using var bot = await FrontDoorApp.StartAsync(settings: new Dictionary<string, string?> { ["Home:PublishInterval"] = "00:00:00.2" });
        var job = await bot.Jobs.CreateAsync(new JobRequest("web", "production", "echo follow-me", null, new JobOrigin(JobOrigin.Slack, FrontDoorApp.Team, FrontDoorApp.Channel, Alice)), Ct);

        await bot.PostSignedAsync(SlackFrontDoor.EventsPath, AppHomeOpened(Alice, shownHash: "h-shown"));
        var first = await bot.Slack.WaitForAsync("/api/views.publish", c => UserOf(c.Json) == Alice && c.Body.Contains("Pending", StringComparison.Ordinal));
        await bot.Jobs.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Cancelled, DateTimeOffset.UtcNow), Ct);

        var republished = await bot.Slack.WaitForAsync("/api/views.publish", c => UserOf(c.Json) == Alice && c.Body.Contains("Cancelled", StringComparison.Ordinal));
        Assert.Contains("echo follow-me", republished.Body, StringComparison.Ordinal);
        // Each publish names the view it replaces: the one Slack said the person had, then the one the last publish made.
        Assert.Equal(("h-shown", "h-1"), (first.Json.GetProperty("hash").GetString(), republished.Json.GetProperty("hash").GetString()));
    }

    [Fact]
    public async Task The_Home_tabs_Run_a_job_button_opens_the_shortcuts_form_with_its_channel_field()
    {
        var response = await _bot.InteractAsync(new
        {
            type = "block_actions",
            user = new { id = Alice, username = "alice", team_id = FrontDoorApp.Team },
            team = new { id = FrontDoorApp.Team, domain = "acme" },
            api_app_id = "A0APP",
            trigger_id = FrontDoorApp.NewTriggerId(),
            container = new { type = "view", view_id = "V0HOME" },
            view = new { id = "V0HOME", type = "home", hash = "h-1", callback_id = "", private_metadata = "" },
            actions = new[] { new { type = "button", block_id = HomeTabRenderer.ActionsBlockId, action_id = HomeTab.RunJobAction, action_ts = "1700000002.000001" } },
        });
        var opened = await _bot.Slack.WaitForAsync("/api/views.open");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = opened.Json.GetProperty("view");
        Assert.Equal(JobModal.ChannelBlock, view.GetProperty("blocks")[0].GetProperty("block_id").GetString());
        Assert.Contains("\"pick_channel\":true", view.GetProperty("private_metadata").GetString(), StringComparison.Ordinal);
    }

    private Task<JobRecord> CreateJobAsync(string user, string command) =>
        _bot.Jobs.CreateAsync(new JobRequest("web", "production", command, null, new JobOrigin(JobOrigin.Slack, FrontDoorApp.Team, FrontDoorApp.Channel, user)), Ct);

    private static string? UserOf(JsonElement body) => body.TryGetProperty("user_id", out var user) ? user.GetString() : null;

    private static string AppHomeOpened(string user, string tab = "home", string? shownHash = null) => $$$"""
        {"token":"t","team_id":"{{{FrontDoorApp.Team}}}","api_app_id":"A0APP","type":"event_callback","event_id":"Ev{{{Guid.NewGuid():N}}}","event_time":1700000000,
         "event":{"type":"app_home_opened","user":"{{{user}}}","channel":"D0{{{user}}}","tab":"{{{tab}}}","event_ts":"1700000000.000100"{{{(shownHash is null ? "" : $",\"view\":{{\"id\":\"V0HOME\",\"type\":\"home\",\"hash\":\"{shownHash}\"}}")}}}}}
        """;
}
