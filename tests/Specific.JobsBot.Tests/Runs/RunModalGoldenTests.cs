using System.Net;
using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.Jobs.Testing;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Tests.Commands;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.JobsBot.Tests.Threads;
using Specific.JobsBot.Threads;
using Specific.Slack;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.Tests.Runs;

/// <summary>
/// The "Run a job" modal as Slack receives it, pinned as golden JSON in Runs/Golden: the view of each views.open the
/// bot's real HTTP pipeline makes, and the view_submission answers it renders (field errors, the confirmation form).
/// </summary>
public sealed class RunModalGoldenTests : IAsyncLifetime
{
    private const string Production = "Guardrails:Environments:production";

    /// <summary>Alice and Bob may run in production, which asks for confirmation as it does unless told not to.</summary>
    private static readonly Dictionary<string, string?> ConfirmingPolicy = new()
    {
        [$"{Production}:Run:Users:0"] = "U0ALICE",
        [$"{Production}:Run:Users:1"] = "U0BOB",
        [$"{Production}:Admins:Users:0"] = "U0ADMIN",
    };

    /// <summary>Anyone may run in production, unconfirmed; web has saved tasks, and with <paramref name="onlyTasks"/> runs nothing else there.</summary>
    private static Dictionary<string, string?> TaskPolicy(bool onlyTasks = false)
    {
        var settings = new Dictionary<string, string?>(FrontDoorApp.OpenPolicy)
        {
            ["Tasks:web:cache-clear:Command"] = "./bin/rake cache:clear",
            ["Tasks:web:cache-clear:Description"] = "Purge the page cache",
            ["Tasks:web:report:Command"] = "./bin/report --daily",
            ["Tasks:web:report:Timeout"] = "00:05:00",
            ["Tasks:web:report:Environments:0"] = "production",
            ["Tasks:worker:drain:Command"] = "./bin/drain",
            ["Tasks:worker:drain:Description"] = "Finish the queued work and stop taking more",
        };
        if (onlyTasks)
        {
            settings[$"{Production}:Services:web:SavedTasksOnly"] = "true";
        }

        return settings;
    }

    // Frozen at the real time, so the request signatures (made with the real time) stay within Slack's 5 minutes.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private FrontDoorApp? _bot;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_bot is not null)
        {
            await _bot.DisposeAsync();
        }
    }

    [Fact]
    public async Task Job_run_alone_opens_an_empty_form_with_the_live_services_of_the_default_environment()
    {
        var bot = await StartAsync(FrontDoorApp.OpenPolicy);

        var response = await bot.SlashCommandAsync("job run");

        Assert.Equal("", await response.Content.ReadAsStringAsync(Ct));
        GoldenFile.VerifyPayload("modal_fresh", await OpenedViewAsync());
    }

    [Fact]
    public async Task Job_run_alone_offers_a_typed_service_when_the_services_cannot_be_listed()
    {
        var bot = await StartAsync(FrontDoorApp.OpenPolicy);
        bot.Catalog.FailWith = new HttpRequestException("connection refused");

        await bot.SlashCommandAsync("job run");

        GoldenFile.VerifyPayload("modal_fresh_services_unlisted", await OpenedViewAsync());
    }

    [Fact]
    public async Task The_run_a_job_shortcut_opens_an_empty_form_that_asks_where_to_post()
    {
        var bot = await StartAsync(FrontDoorApp.OpenPolicy);

        await bot.InteractAsync(new
        {
            type = "shortcut",
            action_ts = "1700000001.000001",
            team = new { id = FrontDoorApp.Team },
            user = new { id = "U0ALICE", username = "alice", team_id = FrontDoorApp.Team },
            callback_id = JobModal.ShortcutCallbackId,
            trigger_id = FrontDoorApp.NewTriggerId(),
        });

        GoldenFile.VerifyPayload("modal_shortcut", await OpenedViewAsync());
    }

    [Fact]
    public async Task Rerun_opens_the_form_filled_with_the_jobs_service_environment_name_command_and_time_limit()
    {
        var bot = await StartAsync(FrontDoorApp.OpenPolicy);
        bot.Jobs.Put(SlashCommandEndpointTests.Job("j-rerun001", "web-canary", JobState.Failed, _clock.GetUtcNow().AddMinutes(-20)) with
        {
            Environment = "staging",
            Name = "backfill",
            Command = "./manage.py backfill --since 2024-01-01\necho \"done ✓\"",
            Timeout = TimeSpan.FromMinutes(45),
        });

        await bot.InteractAsync(RerunClick("j-rerun001", "U0BOB"));

        GoldenFile.VerifyPayload("modal_rerun", await OpenedViewAsync());
    }

    [Fact]
    public async Task Submission_with_an_unknown_service_and_no_command_gets_an_error_under_each_field()
    {
        await StartAsync(FrontDoorApp.OpenPolicy);

        GoldenFile.VerifyPayload("modal_submission_errors", await SubmitAsync(Submission("wbe", "   ")));
    }

    [Fact]
    public async Task Submission_with_a_time_limit_over_the_maximum_gets_the_range_under_the_time_limit()
    {
        await StartAsync(FrontDoorApp.OpenPolicy);

        GoldenFile.VerifyPayload("modal_submission_timeout", await SubmitAsync(Submission("web", "echo hi", timeout: "48h")));
        Assert.Empty(Bot.Jobs.All);
    }

    [Fact]
    public async Task Submission_for_an_unconfigured_environment_gets_an_error_under_the_environment()
    {
        await StartAsync(FrontDoorApp.OpenPolicy);

        GoldenFile.VerifyPayload("modal_submission_errors_environment", await SubmitAsync(Submission("web", "echo hi", environment: "qa")));
    }

    [Fact]
    public async Task Submission_refused_by_the_guardrails_names_the_rule_under_the_environment()
    {
        await StartAsync(ConfirmingPolicy);

        GoldenFile.VerifyPayload("modal_submission_refused", await SubmitAsync(Submission("web", "echo hi", user: "U0MALLORY")));
    }

    [Fact]
    public async Task Run_that_must_be_confirmed_opens_the_form_filled_in_with_the_reasons_and_a_field_to_type_the_service()
    {
        var bot = await StartAsync(ConfirmingPolicy);

        await bot.SlashCommandAsync("job run web --name greet --timeout 20m echo hi");

        GoldenFile.VerifyPayload("modal_confirmation", await OpenedViewAsync());
    }

    [Fact]
    public async Task Submission_that_must_be_confirmed_gets_the_same_form_back_with_the_reasons_and_the_field()
    {
        await StartAsync(ConfirmingPolicy);

        GoldenFile.VerifyPayload("modal_submission_confirmation", await SubmitAsync(Submission("web", "echo hi", name: "greet")));
    }

    [Fact]
    public async Task Confirmation_with_the_wrong_name_gets_an_error_under_the_confirmation_field()
    {
        await StartAsync(ConfirmingPolicy);

        var submission = Submission("web", "echo hi", confirm: "wbe", metadata: """{"channel_id":"C0CHANNEL","environment":"production","asked":"policy"}""");

        GoldenFile.VerifyPayload("modal_submission_confirmation_mismatch", await SubmitAsync(submission));
    }

    [Fact]
    public async Task Job_run_alone_offers_the_saved_tasks_of_the_environment_in_a_menu_after_the_service()
    {
        var bot = await StartAsync(TaskPolicy());

        await bot.SlashCommandAsync("job run");

        GoldenFile.VerifyPayload("modal_tasks", await OpenedViewAsync());
    }

    [Fact]
    public async Task Where_only_saved_tasks_run_the_free_command_field_says_so()
    {
        var bot = await StartAsync(TaskPolicy(onlyTasks: true));

        await bot.SlashCommandAsync("job run");

        GoldenFile.VerifyPayload("modal_tasks_only", await OpenedViewAsync());
    }

    [Fact]
    public async Task Rerun_of_a_saved_tasks_job_opens_the_form_with_the_task_picked()
    {
        var bot = await StartAsync(TaskPolicy());
        bot.Jobs.Put(SlashCommandEndpointTests.Job("j-rerun002", "web", JobState.Succeeded, _clock.GetUtcNow().AddMinutes(-5)) with
        {
            Command = "./bin/rake cache:clear",
            Task = "cache-clear",
            Timeout = TimeSpan.FromHours(1),
        });

        await bot.InteractAsync(RerunClick("j-rerun002", "U0BOB"));

        GoldenFile.VerifyPayload("modal_rerun_task", await OpenedViewAsync());
    }

    [Fact]
    public async Task Rerun_of_a_free_command_job_where_only_saved_tasks_run_now_is_refused_before_the_form_opens()
    {
        var bot = await StartAsync(TaskPolicy(onlyTasks: true));
        bot.Jobs.Put(SlashCommandEndpointTests.Job("j-rerun003", "web", JobState.Succeeded, _clock.GetUtcNow().AddMinutes(-5)) with { Command = "echo free" });

        await bot.InteractAsync(RerunClick("j-rerun003", "U0BOB"));

        var told = await bot.Slack.WaitForAsync("/response/", call => call.Body.Contains("runs saved tasks only", StringComparison.Ordinal));
        Assert.Contains("Run one with `/specific task run web cache-clear --env production`", told.Json.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(bot.Slack.Calls, call => call.Path == "/api/views.open");
        await FrontDoorApp.EventuallyAsync(
            () => bot.Audit.All.Any(entry => entry.Rule == $"{Production}:Services:web:SavedTasksOnly"), "the refused Re-run to reach the audit trail");
    }

    [Fact]
    public async Task Submission_of_a_free_command_where_only_saved_tasks_run_is_refused_under_the_command()
    {
        await StartAsync(TaskPolicy(onlyTasks: true));

        GoldenFile.VerifyPayload("modal_submission_saved_tasks_only", await SubmitAsync(Submission("web", "rm -rf /tmp/cache", task: JobModal.NoTaskValue)));
        Assert.Empty(Bot.Jobs.All);
    }

    [Fact]
    public async Task Submission_with_a_task_picked_starts_the_tasks_command_with_its_own_limit()
    {
        await StartAsync(TaskPolicy(onlyTasks: true));

        var response = await Bot.InteractAsync(Submission("web", "", task: JobModal.TaskValue("web", "report")).Payload);

        Assert.Equal("", await response.Content.ReadAsStringAsync(Ct));
        await FrontDoorApp.EventuallyAsync(() => Bot.Jobs.All.Count == 1, "the task's job to be recorded");
        var job = Assert.Single(Bot.Jobs.All);
        Assert.Equal(("report", "./bin/report --daily", TimeSpan.FromMinutes(5)), (job.Task, job.Command, job.Timeout));
    }

    [Fact]
    public async Task Submission_with_a_task_of_another_service_gets_an_error_under_the_task()
    {
        await StartAsync(TaskPolicy());

        var answer = await SubmitAsync(Submission("web", "", task: JobModal.TaskValue("worker", "drain")));

        Assert.Equal(
            "The task drain is one of worker's, and the service picked is web: pick worker as the service, or another task.",
            answer.Errors![JobModal.TaskBlock("production")]);
        Assert.Empty(Bot.Jobs.All);
    }

    [Fact]
    public async Task Picking_a_saved_task_updates_the_form_so_its_command_field_says_what_the_task_runs()
    {
        await StartAsync(TaskPolicy());
        var values = Submission("web", "", task: JobModal.TaskValue("web", "report")).Payload;
        var view = System.Text.Json.JsonSerializer.SerializeToNode(values)!["view"]!;

        await Bot.InteractAsync(new
        {
            type = "block_actions",
            team = new { id = FrontDoorApp.Team },
            user = new { id = "U0ALICE", username = "u0alice", team_id = FrontDoorApp.Team },
            trigger_id = FrontDoorApp.NewTriggerId(),
            container = new { type = "view", view_id = "V0GOLDEN" },
            view,
            actions = new[]
            {
                new
                {
                    type = "static_select", action_id = JobModal.TaskAction, block_id = JobModal.TaskBlock("production"),
                    selected_option = new { value = JobModal.TaskValue("web", "report") }, action_ts = "1700000003.1",
                },
            },
        });

        var update = (await Bot.Slack.WaitForAsync("/api/views.update")).Json;
        Assert.Equal(("V0GOLDEN", "h-1"), (update.GetProperty("view_id").GetString(), update.GetProperty("hash").GetString()));
        var updated = SlackJson.Deserialize<ModalView>(update.GetProperty("view").GetRawText());
        BlockKitLimits.EnsureValid(updated);
        var command = updated.Blocks.OfType<InputBlock>().Single(b => b.BlockId == JobModal.CommandBlock);
        Assert.Equal("Task report (web) runs: ./bin/report --daily — this field is ignored while a task is picked.", command.Hint?.Text);
        GoldenFile.VerifyPayload("modal_task_picked", updated);
    }

    private async Task<FrontDoorApp> StartAsync(IReadOnlyDictionary<string, string?> policy) =>
        _bot = await FrontDoorApp.StartAsync(clock: _clock, settings: policy);

    private FrontDoorApp Bot => _bot ?? throw new InvalidOperationException("Start the bot first.");

    /// <summary>The view of the first views.open, exactly as sent, checked against Slack's limits for modals.</summary>
    private async Task<ModalView> OpenedViewAsync()
    {
        var wire = (await Bot.Slack.WaitForAsync("/api/views.open")).Json.GetProperty("view").GetRawText();
        var view = SlackJson.Deserialize<ModalView>(wire);
        // Read back and written again unchanged: the golden file holds everything Slack received, nothing more.
        Assert.Equal(wire, SlackJson.Serialize(view));
        BlockKitLimits.EnsureValid(view);
        return view;
    }

    /// <summary>Submits the form and reads the answer exactly as Slack receives it; errors must name input blocks the form has.</summary>
    private async Task<ViewSubmissionResponse> SubmitAsync(Submitted submission)
    {
        var response = await Bot.InteractAsync(submission.Payload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var wire = await response.Content.ReadAsStringAsync(Ct);
        var answer = SlackJson.Deserialize<ViewSubmissionResponse>(wire);
        Assert.Equal(wire, SlackJson.Serialize(answer));
        if (answer.View is { } view)
        {
            BlockKitLimits.EnsureValid(view);
        }

        Assert.All(answer.Errors?.Keys ?? [], blockId => Assert.Contains(blockId, submission.InputBlocks));
        return answer;
    }

    /// <summary>A view_submission payload and the block ids of the inputs it carries.</summary>
    private sealed record Submitted(object Payload, IReadOnlyCollection<string> InputBlocks);

    private static Submitted Submission(
        string service, string command, string environment = "production", string? name = null, string? confirm = null,
        string user = "U0ALICE", string metadata = """{"channel_id":"C0CHANNEL","environment":"production"}""", string? timeout = null,
        string? task = null)
    {
        var values = new Dictionary<string, object>
        {
            ["job_environment"] = new { job_modal_environment = new { type = "static_select", selected_option = new { value = environment } } },
            ["job_service_production"] = new { job_modal_service = new { type = "static_select", selected_option = new { value = service } } },
            ["job_name"] = new { job_modal_name = new { type = "plain_text_input", value = name } },
            ["job_command"] = new { job_modal_command = new { type = "plain_text_input", value = command } },
        };
        if (timeout is not null)
        {
            values["job_timeout"] = new { job_modal_timeout = new { type = "plain_text_input", value = timeout } };
        }

        if (task is not null)
        {
            values[JobModal.TaskBlock(environment)] = new { job_modal_task = new { type = "static_select", selected_option = new { value = task } } };
        }

        if (confirm is not null)
        {
            values["job_confirm"] = new { job_modal_confirm = new { type = "plain_text_input", value = confirm } };
        }

        var payload = new
        {
            type = "view_submission",
            team = new { id = FrontDoorApp.Team },
            user = new { id = user, username = user.ToLowerInvariant(), team_id = FrontDoorApp.Team },
            view = new
            {
                id = "V0GOLDEN",
                callback_id = "job_run_modal",
                hash = "h-1",
                private_metadata = metadata,
                state = new { values },
            },
        };
        return new Submitted(payload, values.Keys);
    }

    private object RerunClick(string jobId, string user) => new
    {
        type = "block_actions",
        team = new { id = FrontDoorApp.Team },
        user = new { id = user, username = user.ToLowerInvariant(), team_id = FrontDoorApp.Team },
        trigger_id = FrontDoorApp.NewTriggerId(),
        response_url = Bot.Slack.NewResponseUrl(),
        channel = new { id = FrontDoorApp.Channel },
        container = new { type = "message", message_ts = "1700000000.000100", channel_id = FrontDoorApp.Channel },
        message = new { ts = "1700000000.000100", text = "job" },
        actions = new[] { new { type = "button", action_id = JobMessageActions.Rerun, block_id = "job_actions", value = jobId, action_ts = "1700000000.123456" } },
    };
}
