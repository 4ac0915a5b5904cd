using System.Net;
using System.Text.Json;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Runs;

/// <summary>
/// The global shortcut "Run a job" over the bot's real HTTP pipeline: it opens the run form with a channel field (a
/// shortcut names no channel), and the job's message goes to the channel picked there, through the same run gate.
/// </summary>
public sealed class RunShortcutTests : IAsyncLifetime
{
    private FrontDoorApp _bot = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _bot = await FrontDoorApp.StartAsync();

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task The_shortcut_opens_the_run_form_with_a_channel_field_once_even_when_slack_retries_it()
    {
        var shortcut = Shortcut(JobModal.ShortcutCallbackId, actionTs: "1700000001.000001");

        var first = await _bot.InteractAsync(shortcut);
        var view = (await _bot.Slack.WaitForAsync("/api/views.open")).Json.GetProperty("view");
        var retried = await _bot.InteractAsync(shortcut, retryNum: 1);
        // Another person's shortcut after the retry: once its form is open, the queue has passed anything the retry queued.
        var bobs = FrontDoorApp.NewTriggerId();
        await _bot.InteractAsync(Shortcut(JobModal.ShortcutCallbackId, actionTs: "1700000001.000009", user: "U0BOB", triggerId: bobs));
        await _bot.Slack.WaitForAsync("/api/views.open", c => c.Json.GetProperty("trigger_id").GetString() == bobs);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retried.StatusCode));
        var blockIds = view.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("block_id").GetString()).ToList();
        Assert.Equal(JobModal.ChannelBlock, blockIds[0]);
        Assert.Contains(JobModal.CommandBlock, blockIds);
        Assert.Contains("\"pick_channel\":true", view.GetProperty("private_metadata").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, _bot.Slack.Calls.Count(c => c.Path == "/api/views.open"));
    }

    [Fact]
    public async Task A_shortcut_the_app_does_not_declare_opens_nothing()
    {
        var response = await _bot.InteractAsync(Shortcut("someone_elses_shortcut", actionTs: "1700000001.000002"));
        // A declared shortcut after it: once its form is open, the queue has passed anything the first one queued.
        await _bot.InteractAsync(Shortcut(JobModal.ShortcutCallbackId, actionTs: "1700000001.000003"));
        await _bot.Slack.WaitForAsync("/api/views.open");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_bot.Slack.Calls, c => c.Path == "/api/views.open");
    }

    [Fact]
    public async Task A_submission_starts_the_job_in_the_picked_channel()
    {
        var response = await _bot.InteractAsync(Submission(FrontDoorApp.Channel));

        Assert.Equal("", await response.Content.ReadAsStringAsync(Ct));
        await FrontDoorApp.EventuallyAsync(() => _bot.Jobs.All.Count == 1, "the job to be recorded");
        var job = Assert.Single(_bot.Jobs.All);
        Assert.Equal((FrontDoorApp.Channel, "U0ALICE", "web", "echo hi"), (job.Origin.ChannelId, job.Origin.UserId, job.Service, job.Command));
    }

    [Fact]
    public async Task A_submission_for_a_channel_without_the_bot_shows_the_invite_under_the_channel_and_starts_nothing()
    {
        var errors = await ErrorsAsync(Submission(SlackRecorder.HiddenChannel));

        var error = Assert.Single(errors).Value;
        Assert.Equal(JobModal.ChannelBlock, Assert.Single(errors).Key);
        Assert.Contains("nothing was started", error, StringComparison.Ordinal);
        Assert.Contains("/invite", error, StringComparison.Ordinal);
        Assert.Empty(_bot.Jobs.All);
        Assert.True(_bot.Launcher.Started.IsEmpty);
    }

    [Fact]
    public async Task A_submission_with_no_channel_picked_is_asked_for_one_and_starts_nothing()
    {
        var errors = await ErrorsAsync(Submission(channel: null));

        Assert.Equal(
            (JobModal.ChannelBlock, "Pick the channel where the job's message and its thread should go."),
            (Assert.Single(errors).Key, Assert.Single(errors).Value));
        Assert.Empty(_bot.Jobs.All);
    }

    private async Task<Dictionary<string, string>> ErrorsAsync(object submission)
    {
        var response = await _bot.InteractAsync(submission);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("errors", answer.GetProperty("response_action").GetString());
        return answer.GetProperty("errors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    private static object Shortcut(string callbackId, string actionTs, string user = "U0ALICE", string? triggerId = null) => new
    {
        type = "shortcut",
        token = "unused",
        action_ts = actionTs,
        team = new { id = FrontDoorApp.Team },
        user = new { id = user, username = user.ToLowerInvariant(), team_id = FrontDoorApp.Team },
        callback_id = callbackId,
        trigger_id = triggerId ?? FrontDoorApp.NewTriggerId(),
    };

    /// <summary>A submission of the form the shortcut opened, with <paramref name="channel"/> picked (null: none).</summary>
    private static object Submission(string? channel) => new
    {
        type = "view_submission",
        team = new { id = FrontDoorApp.Team },
        user = new { id = "U0ALICE", username = "alice", team_id = FrontDoorApp.Team },
        view = new
        {
            id = "V0SHORTCUT",
            callback_id = JobModal.CallbackId,
            hash = "h-1",
            private_metadata = """{"environment":"production","pick_channel":true}""",
            state = new
            {
                values = new Dictionary<string, object>
                {
                    [JobModal.ChannelBlock] = new { job_modal_channel = new { type = "conversations_select", selected_conversation = channel } },
                    ["job_environment"] = new { job_modal_environment = new { type = "static_select", selected_option = new { value = "production" } } },
                    ["job_service_production"] = new { job_modal_service = new { type = "static_select", selected_option = new { value = "web" } } },
                    ["job_name"] = new { job_modal_name = new { type = "plain_text_input", value = (string?)null } },
                    ["job_command"] = new { job_modal_command = new { type = "plain_text_input", value = "echo hi" } },
                },
            },
        },
    };
}
