using System.Net;
using System.Text.Json;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Runs;

/// <summary>
/// The run gate's membership check over the bot's real HTTP pipeline: a run typed where Slack hides the channel from the
/// bot (conversations.info: channel_not_found) is answered in the request with how to invite it, and nothing starts.
/// </summary>
public sealed class ChannelMembershipGateTests : IAsyncLifetime
{
    private FrontDoorApp _bot = null!;

    public async ValueTask InitializeAsync() => _bot = await FrontDoorApp.StartAsync();

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task A_slash_command_in_a_channel_without_the_bot_is_answered_privately_with_the_invite_and_starts_nothing()
    {
        var response = await _bot.SlashCommandAsync("job run web echo hi", channel: SlackRecorder.HiddenChannel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal("ephemeral", answer.GetProperty("response_type").GetString());
        var text = answer.GetProperty("text").GetString();
        Assert.StartsWith(":lock: The app is not in this channel, so nothing was started", text, StringComparison.Ordinal);
        Assert.Contains("Type `/invite @specific-jobs` here and run the command again, or run it in a channel where the app is.", text, StringComparison.Ordinal);

        var refused = await AuditEntryAsync(e => e.ChannelId == SlackRecorder.HiddenChannel);
        Assert.Equal((AuditAction.Run, AuditOutcome.Refused, ChannelReach.Rule), (refused.Action, refused.Outcome, refused.Rule));
        Assert.Empty(_bot.Jobs.All);
        Assert.True(_bot.Launcher.Started.IsEmpty);
        Assert.DoesNotContain(_bot.Slack.Calls, c => c.Path == "/api/chat.postMessage");
    }

    [Fact]
    public async Task A_run_form_submitted_for_a_channel_without_the_bot_shows_the_invite_under_the_command_and_starts_nothing()
    {
        var response = await _bot.InteractAsync(new
        {
            type = "view_submission",
            team = new { id = FrontDoorApp.Team },
            user = new { id = "U0ALICE", username = "alice", team_id = FrontDoorApp.Team },
            view = new
            {
                id = "V0HIDDEN",
                callback_id = "job_run_modal",
                hash = "h-1",
                private_metadata = $$"""{"channel_id":"{{SlackRecorder.HiddenChannel}}","environment":"production"}""",
                state = new
                {
                    values = new Dictionary<string, object>
                    {
                        ["job_environment"] = new { job_modal_environment = new { type = "static_select", selected_option = new { value = "production" } } },
                        ["job_service_production"] = new { job_modal_service = new { type = "static_select", selected_option = new { value = "web" } } },
                        ["job_name"] = new { job_modal_name = new { type = "plain_text_input", value = (string?)null } },
                        ["job_command"] = new { job_modal_command = new { type = "plain_text_input", value = "echo hi" } },
                    },
                },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal("errors", answer.GetProperty("response_action").GetString());
        var error = answer.GetProperty("errors").GetProperty("job_command").GetString();
        Assert.Contains("nothing was started", error, StringComparison.Ordinal);
        Assert.Contains("Type /invite @specific-jobs here", error, StringComparison.Ordinal);
        Assert.Empty(_bot.Jobs.All);
        Assert.True(_bot.Launcher.Started.IsEmpty);
    }

    [Fact]
    public async Task A_slash_command_in_a_channel_with_the_bot_asks_slack_once_and_starts_the_job()
    {
        await _bot.SlashCommandAsync("job run web echo one");
        await _bot.SlashCommandAsync("job run web echo two");

        await FrontDoorApp.EventuallyAsync(() => _bot.Launcher.Started.Count == 2, "both jobs to start");
        Assert.Single(_bot.Slack.Calls, c => c.Path == "/api/conversations.info");
    }

    private async Task<AuditEntry> AuditEntryAsync(Func<AuditEntry, bool> match)
    {
        await FrontDoorApp.EventuallyAsync(() => _bot.Audit.All.Any(match), "an audit entry");
        return _bot.Audit.All.Last(match);
    }
}
