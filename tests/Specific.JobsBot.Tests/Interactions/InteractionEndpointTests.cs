using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Domain;
using Specific.JobsBot.Tests.Commands;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.JobsBot.Threads;

namespace Specific.JobsBot.Tests.Interactions;

public sealed class InteractionEndpointTests : IAsyncLifetime
{
    private FrontDoorApp _bot = null!;

    public async ValueTask InitializeAsync() => _bot = await FrontDoorApp.StartAsync();

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    private static object Submission(
        string? service, string? command, string environment = "production", string? name = null,
        string viewId = "V0SUBMIT", string hash = "h-1", string metadata = """{"channel_id":"C0CHANNEL","environment":"production"}""",
        string user = "U0ALICE") => new
    {
        type = "view_submission",
        team = new { id = FrontDoorApp.Team },
        user = new { id = user, username = "alice", team_id = FrontDoorApp.Team },
        view = new
        {
            id = viewId,
            callback_id = "job_run_modal",
            hash,
            private_metadata = metadata,
            state = new
            {
                values = new Dictionary<string, object>
                {
                    ["job_environment"] = new { job_modal_environment = new { type = "static_select", selected_option = new { value = environment } } },
                    ["job_service_production"] = new { job_modal_service = service is null ? (object)new { type = "static_select" } : new { type = "static_select", selected_option = new { value = service } } },
                    ["job_name"] = new { job_modal_name = new { type = "plain_text_input", value = name } },
                    ["job_command"] = new { job_modal_command = new { type = "plain_text_input", value = command } },
                },
            },
        },
    };

    private object ButtonClick(string actionId, string jobId, string user, string? responseUrl = null, string actionTs = "1700000000.123456") => new
    {
        type = "block_actions",
        team = new { id = FrontDoorApp.Team },
        user = new { id = user, username = user.ToLowerInvariant(), team_id = FrontDoorApp.Team },
        trigger_id = FrontDoorApp.NewTriggerId(),
        response_url = responseUrl ?? _bot.Slack.NewResponseUrl(),
        channel = new { id = FrontDoorApp.Channel },
        container = new { type = "message", message_ts = "1700000000.000100", channel_id = FrontDoorApp.Channel },
        message = new { ts = "1700000000.000100", text = "job" },
        actions = new[] { new { type = "button", action_id = actionId, block_id = "job_actions", value = jobId, action_ts = actionTs } },
    };

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("errors", json.GetProperty("response_action").GetString());
        return json.GetProperty("errors");
    }

    [Fact]
    public async Task Unsigned_interaction_is_rejected_with_401()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["payload"] = JsonSerializer.Serialize(Submission("web", "echo hi")) });

        var response = await _bot.Client.PostAsync("/slack/interactions", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Submission_with_an_unknown_service_answers_errors_on_the_service_block()
    {
        var errors = await ErrorsAsync(await _bot.InteractAsync(Submission("wbe", "echo hi")));

        Assert.Equal("No service wbe is deployed in production. Did you mean web?", errors.GetProperty("job_service_production").GetString());
        Assert.False(errors.TryGetProperty("job_command", out _));
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Submission_without_a_command_answers_errors_on_the_command_block()
    {
        var errors = await ErrorsAsync(await _bot.InteractAsync(Submission("web", "   ")));

        Assert.Equal("Missing command: say what to run.", errors.GetProperty("job_command").GetString());
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Submission_for_an_unconfigured_environment_answers_errors_on_the_environment_block()
    {
        var errors = await ErrorsAsync(await _bot.InteractAsync(Submission("web", "echo hi", environment: "qa")));

        Assert.StartsWith("Unknown environment qa. Configured: production, staging.", errors.GetProperty("job_environment").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_submission_closes_the_modal_and_starts_the_job_in_the_modals_channel()
    {
        var response = await _bot.InteractAsync(Submission(
            "web", "set -e\necho \"multi\" | wc -c\n", name: "nightly",
            metadata: """{"channel_id":"C0OTHER","environment":"production","rerun_of":"j-previous"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the job to start");
        var job = Assert.Single(_bot.Jobs.All);
        Assert.Equal("set -e\necho \"multi\" | wc -c\n", job.Command);
        Assert.Equal("nightly", job.Name);
        Assert.Equal("j-previous", job.RerunOf);
        Assert.Equal(new JobOrigin(JobOrigin.Slack, FrontDoorApp.Team, "C0OTHER", "U0ALICE", "alice"), job.Origin);
    }

    [Fact]
    public async Task The_same_submission_twice_starts_one_job()
    {
        await _bot.InteractAsync(Submission("web", "echo once", viewId: "V0TWICE", hash: "h-9"));
        await _bot.InteractAsync(Submission("web", "echo once", viewId: "V0TWICE", hash: "h-9"), retryNum: 1);

        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the job to start");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Single(_bot.Jobs.All);
    }

    [Fact]
    public async Task Cancel_button_from_another_user_is_refused_privately()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-ffffffff", "web", JobState.Running, DateTimeOffset.UtcNow));
        var responseUrl = _bot.Slack.NewResponseUrl();

        var response = await _bot.InteractAsync(ButtonClick(JobMessageActions.Cancel, "j-ffffffff", "U0MALLORY", responseUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var told = (await _bot.Slack.WaitForAsync(new Uri(responseUrl).AbsolutePath)).Json;
        Assert.Equal("ephemeral", told.GetProperty("response_type").GetString());
        Assert.False(told.GetProperty("replace_original").GetBoolean());
        Assert.Contains("only <@U0ALICE>, who started it, and the admins of `production` can cancel job `j-ffffffff`.", told.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(_bot.Launcher.Cancelled);
    }

    [Fact]
    public async Task Cancel_button_from_the_starter_cancels_once_even_when_clicked_twice()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-gggggggg", "web", JobState.Running, DateTimeOffset.UtcNow));

        await _bot.InteractAsync(ButtonClick(JobMessageActions.Cancel, "j-gggggggg", "U0ALICE", actionTs: "1700000001.000001"));
        await _bot.InteractAsync(ButtonClick(JobMessageActions.Cancel, "j-gggggggg", "U0ALICE", actionTs: "1700000001.000001"), retryNum: 1);

        await FrontDoorApp.EventuallyAsync(() => _bot.Launcher.Cancelled.Contains("j-gggggggg"), "the cancel");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Single(_bot.Launcher.Cancelled);
    }

    [Fact]
    public async Task Cancel_button_records_the_cancel_before_asking_the_flow()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-gggggggh", "web", JobState.Running, DateTimeOffset.UtcNow));

        await _bot.InteractAsync(ButtonClick(JobMessageActions.Cancel, "j-gggggggh", "U0ALICE"));
        await FrontDoorApp.EventuallyAsync(() => _bot.Launcher.Cancelled.Contains("j-gggggggh"), "the cancel");

        Assert.Equal("U0ALICE", _bot.Launcher.CancelRecordedBy["j-gggggggh"]);
        Assert.NotNull(_bot.Jobs.Get("j-gggggggh").CancelRequestedAt);
    }

    [Fact]
    public async Task Rerun_opens_the_modal_prefilled_with_the_job()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-hhhhhhhh", "web", JobState.Failed, DateTimeOffset.UtcNow) with { Name = "backfill", Command = "./backfill --since 2024-01-01\necho done" });

        await _bot.InteractAsync(ButtonClick(JobMessageActions.Rerun, "j-hhhhhhhh", "U0BOB"));

        var view = (await _bot.Slack.WaitForAsync("/api/views.open")).Json.GetProperty("view");
        var blocks = view.GetProperty("blocks").EnumerateArray().ToList();
        JsonElement Element(string blockId) => blocks.Single(b => b.TryGetProperty("block_id", out var id) && id.GetString() == blockId).GetProperty("element");
        Assert.Equal("./backfill --since 2024-01-01\necho done", Element("job_command").GetProperty("initial_value").GetString());
        Assert.Equal("backfill", Element("job_name").GetProperty("initial_value").GetString());
        Assert.Equal("web", Element("job_service_production").GetProperty("initial_option").GetProperty("value").GetString());
        Assert.Equal("production", Element("job_environment").GetProperty("initial_option").GetProperty("value").GetString());
        Assert.Contains("\"rerun_of\":\"j-hhhhhhhh\"", view.GetProperty("private_metadata").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_log_uploads_the_whole_log_into_the_thread()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-iiiiiiii", "web", JobState.Succeeded, DateTimeOffset.UtcNow));
        _bot.Logs.Write("j-iiiiiiii", Enumerable.Range(1, 500).Select(i => $"line {i} ünïcode").ToArray());

        await _bot.InteractAsync(ButtonClick(JobMessageActions.FullLog, "j-iiiiiiii", "U0BOB"));

        var complete = (await _bot.Slack.WaitForAsync("/api/files.completeUploadExternal")).Json;
        Assert.Equal(FrontDoorApp.Channel, complete.GetProperty("channel_id").GetString());
        Assert.Equal("1700000000.000100", complete.GetProperty("thread_ts").GetString());
        var upload = await _bot.Slack.WaitForAsync("/upload/F0001");
        var lines = upload.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(500, lines.Length);
        Assert.EndsWith(" line 1 ünïcode", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" line 500 ünïcode", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Choosing_another_environment_in_the_modal_updates_its_service_menu()
    {
        var payload = new
        {
            type = "block_actions",
            team = new { id = FrontDoorApp.Team },
            user = new { id = "U0ALICE", team_id = FrontDoorApp.Team },
            trigger_id = FrontDoorApp.NewTriggerId(),
            container = new { type = "view", view_id = "V0MODAL" },
            view = new
            {
                id = "V0MODAL",
                callback_id = "job_run_modal",
                hash = "h-7",
                private_metadata = """{"channel_id":"C0CHANNEL","environment":"production"}""",
                state = new { values = new Dictionary<string, object> { ["job_command"] = new { job_modal_command = new { type = "plain_text_input", value = "echo kept" } } } },
            },
            actions = new[] { new { type = "static_select", action_id = "job_modal_environment", block_id = "job_environment", selected_option = new { value = "staging" }, action_ts = "1700000002.1" } },
        };

        await _bot.InteractAsync(payload);

        var update = (await _bot.Slack.WaitForAsync("/api/views.update")).Json;
        Assert.Equal("V0MODAL", update.GetProperty("view_id").GetString());
        Assert.Equal("h-7", update.GetProperty("hash").GetString());
        var blocks = update.GetProperty("view").GetProperty("blocks").EnumerateArray().ToList();
        var service = blocks.Single(b => b.GetProperty("block_id").GetString() == "job_service_staging");
        Assert.Equal(["web", "web-canary"], service.GetProperty("element").GetProperty("options").EnumerateArray().Select(o => o.GetProperty("value").GetString()));
        Assert.Equal("echo kept", blocks.Single(b => b.GetProperty("block_id").GetString() == "job_command").GetProperty("element").GetProperty("initial_value").GetString());
    }

    [Fact]
    public async Task A_malformed_payload_is_a_400_not_a_500()
    {
        var response = await _bot.PostSignedAsync("/slack/interactions", "payload=%7Bnot-json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"values":null}""")]
    [InlineData("null")]
    [InlineData(null)]
    [InlineData("""{"values":["job_command"]}""")]
    [InlineData("""{"values":{"job_command":"echo hi"}}""")]
    [InlineData("""{"values":{"job_command":{"job_modal_command":{"type":"plain_text_input","value":42}}}}""")]
    public async Task A_submission_whose_state_cannot_be_read_answers_errors_on_the_command_block_and_logs_no_error(string? state)
    {
        var payload = JsonSerializer.SerializeToNode(Submission("web", "echo hi"))!;
        var view = payload["view"]!.AsObject();
        view.Remove("state");
        if (state is not null)
        {
            view["state"] = JsonNode.Parse(state);
        }

        var errors = await ErrorsAsync(await _bot.InteractAsync(payload));

        Assert.Equal(
            "Slack sent this form without answers the bot can read, so nothing was started. Close it and run /specific job run again.",
            errors.GetProperty("job_command").GetString());
        Assert.Empty(_bot.Jobs.All);
        Assert.DoesNotContain(_bot.Written.Entries, entry => entry.Level >= LogLevel.Error);
    }
}
