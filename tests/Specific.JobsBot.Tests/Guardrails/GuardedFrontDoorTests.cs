using System.Net;
using System.Text.Json;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Tests.Commands;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.JobsBot.Threads;
using Specific.Slack;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>
/// The guardrails through the bot's real HTTP pipeline: refusals, confirmation, re-run, the per-service lock, the
/// concurrency note, policy-driven cancel, and an audit row for each path.
/// </summary>
public sealed class GuardedFrontDoorTests : IAsyncLifetime
{
    private const string Production = "Guardrails:Environments:production";

    private static readonly Dictionary<string, string?> Policy = new()
    {
        [$"{Production}:Run:Users:0"] = "U0ALICE",
        [$"{Production}:Run:Users:1"] = "U0BOB",
        [$"{Production}:Admins:Users:0"] = "U0ADMIN",
        [$"{Production}:Services:api:RequireConfirmation"] = "false",
        [$"{Production}:Services:reports:RequireConfirmation"] = "false",
        [$"{Production}:Services:reports:ExclusiveRun"] = "true",
        ["Guardrails:Environments:staging:Run:Users:0"] = "*",
        ["Guardrails:Environments:staging:Admins:Users:0"] = "U0ADMIN",
    };

    private FrontDoorApp _bot = null!;

    public async ValueTask InitializeAsync()
    {
        _bot = await FrontDoorApp.StartAsync(settings: Policy);
        _bot.Catalog.Services["production"] = ["api", "reports", "web", "worker"];
    }

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Refused_user_is_told_which_rule_and_whom_to_ask_and_nothing_is_recorded()
    {
        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job run web echo hi", user: "U0MALLORY"));

        Assert.StartsWith(":no_entry: You can't run jobs on `web` in `production`: only <@U0ALICE>, <@U0BOB> may run", text, StringComparison.Ordinal);
        Assert.Contains($"Rule: `{Production}:Run:Users`.", text, StringComparison.Ordinal);
        Assert.Contains("Ask an admin of `production` for access: <@U0ADMIN>.", text, StringComparison.Ordinal);
        var entry = await AuditEntryAsync(e => e.UserId == "U0MALLORY");
        Assert.Equal((AuditAction.Run, AuditOutcome.Refused, $"{Production}:Run:Users"), (entry.Action, entry.Outcome, entry.Rule));
        Assert.Equal(("production", "web", FrontDoorApp.Team, FrontDoorApp.Channel, "/specific job run web echo hi"), (entry.Environment, entry.Service, entry.TeamId, entry.ChannelId, entry.CommandText));
        await Task.Delay(200, Ct);
        Assert.Empty(_bot.Jobs.All);
        Assert.Empty(_bot.Launcher.Started);
    }

    [Fact]
    public async Task Allowed_run_without_confirmation_starts_and_is_audited_with_its_job()
    {
        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job run api echo hi", user: "U0BOB"));

        Assert.StartsWith("Starting `echo hi` on `api`", text, StringComparison.Ordinal);
        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the job to start");
        var job = Assert.Single(_bot.Jobs.All);
        var entry = await AuditEntryAsync(e => e.JobId == job.Id);
        Assert.Equal((AuditAction.Run, AuditOutcome.Allowed, $"{Production}:Run:Users", "U0BOB", "echo hi"), (entry.Action, entry.Outcome, entry.Rule, entry.UserId, entry.CommandText));
    }

    [Fact]
    public async Task Production_run_opens_a_confirmation_form_and_records_no_job()
    {
        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job run web --name greet echo hi", user: "U0ALICE"));

        Assert.StartsWith(":lock: Nothing has started yet: confirm in the form that just opened by typing `web`.", text, StringComparison.Ordinal);
        var view = (await _bot.Slack.WaitForAsync("/api/views.open")).Json.GetProperty("view");
        Assert.Equal("echo hi", Element(view, "job_command").GetProperty("initial_value").GetString());
        Assert.Equal("greet", Element(view, "job_name").GetProperty("initial_value").GetString());
        Assert.Equal("plain_text_input", Element(view, "job_confirm").GetProperty("type").GetString());
        Assert.Contains("`production` asks for confirmation", AllText(view), StringComparison.Ordinal);
        Assert.Contains("\"asked\":\"policy\"", view.GetProperty("private_metadata").GetString(), StringComparison.Ordinal);
        var entry = await AuditEntryAsync(e => e.UserId == "U0ALICE");
        Assert.Equal((AuditAction.Run, AuditOutcome.ConfirmationRequested), (entry.Action, entry.Outcome));
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Confirmation_with_the_wrong_name_is_refused_in_the_form_and_starts_nothing()
    {
        var response = await _bot.InteractAsync(Submission("web", "echo hi", confirm: "wbe", asked: "policy"));

        var errors = await ErrorsAsync(response);
        Assert.Equal("Type web exactly to run this job in production.", errors.GetProperty("job_confirm").GetString());
        var entry = await AuditEntryAsync(e => e.Action == AuditAction.Confirm);
        Assert.Equal(AuditOutcome.Refused, entry.Outcome);
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Confirmation_with_the_service_name_starts_the_job()
    {
        var response = await _bot.InteractAsync(Submission("web", "echo hi", confirm: "web", asked: "policy"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(Ct));
        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the confirmed job to start");
        var job = Assert.Single(_bot.Jobs.All);
        Assert.Equal(AuditOutcome.Allowed, (await AuditEntryAsync(e => e.Action == AuditAction.Confirm)).Outcome);
        Assert.Equal(AuditOutcome.Allowed, (await AuditEntryAsync(e => e.JobId == job.Id)).Outcome);
    }

    [Fact]
    public async Task Submission_that_must_be_confirmed_gets_its_form_back_with_the_field_and_starts_nothing()
    {
        var response = await _bot.InteractAsync(Submission("web", "echo hi"));

        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("update", answer.GetProperty("response_action").GetString());
        var view = answer.GetProperty("view");
        Assert.Equal("echo hi", Element(view, "job_command").GetProperty("initial_value").GetString());
        Assert.Equal("plain_text_input", Element(view, "job_confirm").GetProperty("type").GetString());
        Assert.Empty(BlockKitLimits.Check(SlackJson.Deserialize<ModalView>(view.GetRawText())));
        Assert.Equal(AuditOutcome.ConfirmationRequested, (await AuditEntryAsync(e => e.UserId == "U0ALICE")).Outcome);
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Form_confirmed_before_the_command_became_a_migration_asks_again_with_the_warning()
    {
        var response = await _bot.InteractAsync(Submission("web", "bundle exec rake db:migrate", confirm: "web", asked: "policy"));

        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("update", answer.GetProperty("response_action").GetString());
        Assert.Contains("pre_deploy", AllText(answer.GetProperty("view")), StringComparison.Ordinal);
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Migration_in_an_open_environment_still_asks_for_confirmation_and_explains_why()
    {
        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job run web --env staging -- bundle exec rake db:migrate", user: "U0MALLORY"));

        Assert.Contains("looks like a database migration (Rails)", text, StringComparison.Ordinal);
        Assert.Contains("`pre_deploy` hook", text, StringComparison.Ordinal);
        var view = (await _bot.Slack.WaitForAsync("/api/views.open")).Json.GetProperty("view");
        Assert.Contains("Migrations belong in a `pre_deploy` hook", AllText(view), StringComparison.Ordinal);
        Assert.Contains("\"asked\":\"migration\"", view.GetProperty("private_metadata").GetString(), StringComparison.Ordinal);
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Rerun_in_production_asks_for_confirmation_again()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-rerun001", "web", JobState.Succeeded, DateTimeOffset.UtcNow));

        await _bot.InteractAsync(ButtonClick(JobMessageActions.Rerun, "j-rerun001", "U0BOB"));

        var view = (await _bot.Slack.WaitForAsync("/api/views.open")).Json.GetProperty("view");
        Assert.Equal("plain_text_input", Element(view, "job_confirm").GetProperty("type").GetString());
        Assert.Contains("\"rerun_of\":\"j-rerun001\"", view.GetProperty("private_metadata").GetString(), StringComparison.Ordinal);
        var entry = await AuditEntryAsync(e => e.Action == AuditAction.Rerun);
        Assert.Equal((AuditOutcome.ConfirmationRequested, "U0BOB"), (entry.Outcome, entry.UserId));
    }

    [Fact]
    public async Task Rerun_by_someone_who_may_not_run_there_is_refused_privately_without_a_form()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-rerun002", "web", JobState.Succeeded, DateTimeOffset.UtcNow));
        var responseUrl = _bot.Slack.NewResponseUrl();

        await _bot.InteractAsync(ButtonClick(JobMessageActions.Rerun, "j-rerun002", "U0MALLORY", responseUrl));

        var told = (await _bot.Slack.WaitForAsync(new Uri(responseUrl).AbsolutePath)).Json;
        Assert.StartsWith(":no_entry: You can't re-run jobs on `web` in `production`", told.GetProperty("text").GetString(), StringComparison.Ordinal);
        var entry = await AuditEntryAsync(e => e.UserId == "U0MALLORY");
        Assert.Equal((AuditAction.Rerun, AuditOutcome.Refused), (entry.Action, entry.Outcome));
        Assert.DoesNotContain(_bot.Slack.Calls, c => c.Path == "/api/views.open");
    }

    [Fact]
    public async Task Confirmed_rerun_is_audited_as_a_rerun()
    {
        var metadata = """{"channel_id":"C0CHANNEL","environment":"production","rerun_of":"j-previous","asked":"policy"}""";

        await _bot.InteractAsync(Submission("web", "echo hi", confirm: "web", metadata: metadata));

        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the re-run to start");
        var job = Assert.Single(_bot.Jobs.All);
        Assert.Equal("j-previous", job.RerunOf);
        var entry = await AuditEntryAsync(e => e.JobId == job.Id);
        Assert.Equal((AuditAction.Rerun, AuditOutcome.Allowed), (entry.Action, entry.Outcome));
    }

    [Fact]
    public async Task Refused_form_submission_shows_the_rule_on_the_field_and_names_the_admins_in_the_channel()
    {
        var response = await _bot.InteractAsync(Submission("web", "echo hi", user: "U0MALLORY"));

        var errors = await ErrorsAsync(response);
        Assert.Contains($"Rule: {Production}:Run:Users.", errors.GetProperty("job_environment").GetString(), StringComparison.Ordinal);
        var told = (await _bot.Slack.WaitForAsync("/api/chat.postEphemeral")).Json;
        Assert.Equal("U0MALLORY", told.GetProperty("user").GetString());
        Assert.Contains("<@U0ADMIN>", told.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Second_job_on_a_service_that_runs_alone_is_refused_naming_the_running_one()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-running1", "reports", JobState.Running, DateTimeOffset.UtcNow));

        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job run reports ls /data", user: "U0ALICE"));

        Assert.StartsWith(":no_entry: `reports` in `production` runs one job at a time, and job `j-running1` is still running.", text, StringComparison.Ordinal);
        Assert.Contains($"Rule: `{Production}:Services:reports:ExclusiveRun`.", text, StringComparison.Ordinal);
        Assert.Equal($"{Production}:Services:reports:ExclusiveRun", (await AuditEntryAsync(e => e.Outcome == AuditOutcome.Refused)).Rule);
        await Task.Delay(200, Ct);
        Assert.Single(_bot.Jobs.All);
    }

    [Fact]
    public async Task Of_two_racing_starts_on_a_service_that_runs_alone_one_job_is_recorded_and_the_other_is_told()
    {
        var urls = new[] { _bot.Slack.NewResponseUrl(), _bot.Slack.NewResponseUrl() };

        var answers = await Task.WhenAll(urls.Select(url => _bot.SlashCommandAsync("job run reports sleep 5", user: "U0ALICE", responseUrl: url)));

        await FrontDoorApp.EventuallyAsync(
            () => _bot.Audit.All.Count(e => e.Service == "reports" && e.Outcome is AuditOutcome.Allowed or AuditOutcome.Refused) == 2,
            "both attempts to be audited");
        Assert.Single(_bot.Jobs.All);
        var texts = new List<string>();
        foreach (var answer in answers)
        {
            texts.Add(await EphemeralTextAsync(answer));
        }

        // The loser is refused in the answer (the winner was already recorded) or, when both passed the quick look, through its
        // response_url, which is posted just after its audit entry is recorded: so that one is waited for, not read at once.
        var refusedInAnswer = texts.Count(t => t.Contains("runs one job at a time", StringComparison.Ordinal));
        int RefusedLater() => _bot.Slack.Calls.Count(c => c.Path.StartsWith("/response/", StringComparison.Ordinal) && c.Body.Contains("runs one job at a time", StringComparison.Ordinal));
        await FrontDoorApp.EventuallyAsync(() => refusedInAnswer + RefusedLater() >= 1, "the loser to be told");
        Assert.Equal(1, refusedInAnswer + RefusedLater());
    }

    [Fact]
    public async Task Job_started_while_others_of_its_service_run_carries_a_note_naming_them()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-other001", "api", JobState.Running, DateTimeOffset.UtcNow));

        await _bot.SlashCommandAsync("job run api echo hi", user: "U0ALICE");

        await FrontDoorApp.EventuallyAsync(() => _bot.Jobs.All.Any(j => j.Id != "j-other001" && j.Notes.Count > 0), "the concurrency note");
        var note = _bot.Jobs.All.Single(j => j.Id != "j-other001").Notes.Single();
        Assert.Contains("Another job of `api` is running in `production` (`j-other001`)", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_started_alone_carries_no_note()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-other002", "api", JobState.Succeeded, DateTimeOffset.UtcNow));

        await _bot.SlashCommandAsync("job run api echo hi", user: "U0ALICE");

        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the job to start");
        await Task.Delay(200, Ct);
        Assert.Empty(_bot.Jobs.All.Single(j => j.Id != "j-other002").Notes);
    }

    [Fact]
    public async Task Admin_may_cancel_a_job_someone_else_started_and_it_is_audited()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-cancel01", "web", JobState.Running, DateTimeOffset.UtcNow, user: "U0ALICE"));

        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job cancel j-cancel01", user: "U0ADMIN"));

        Assert.StartsWith("Cancelling job `j-cancel01`", text, StringComparison.Ordinal);
        await FrontDoorApp.EventuallyAsync(() => _bot.Launcher.Cancelled.Contains("j-cancel01"), "the cancel");
        var entry = await AuditEntryAsync(e => e.Action == AuditAction.Cancel);
        Assert.Equal((AuditOutcome.Allowed, $"{Production}:Admins:Users", "j-cancel01"), (entry.Outcome, entry.Rule, entry.JobId));
    }

    [Fact]
    public async Task Cancel_by_someone_who_is_neither_starter_nor_admin_is_refused_and_audited()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-cancel02", "web", JobState.Running, DateTimeOffset.UtcNow, user: "U0ALICE"));

        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job cancel j-cancel02", user: "U0BOB"));

        Assert.Contains("Ask an admin of `production` for access: <@U0ADMIN>.", text, StringComparison.Ordinal);
        var entry = await AuditEntryAsync(e => e.Action == AuditAction.Cancel);
        Assert.Equal((AuditOutcome.Refused, "U0BOB"), (entry.Outcome, entry.UserId));
        Assert.Empty(_bot.Launcher.Cancelled);
    }

    [Fact]
    public async Task Cancel_button_is_audited_too()
    {
        _bot.Jobs.Put(SlashCommandEndpointTests.Job("j-cancel03", "web", JobState.Running, DateTimeOffset.UtcNow, user: "U0ALICE"));

        await _bot.InteractAsync(ButtonClick(JobMessageActions.Cancel, "j-cancel03", "U0ALICE"));

        var entry = await AuditEntryAsync(e => e.Action == AuditAction.Cancel);
        Assert.Equal((AuditOutcome.Allowed, "starter", "Cancel button"), (entry.Outcome, entry.Rule, entry.CommandText));
    }

    [Fact]
    public async Task Audit_shows_recent_entries_to_an_admin_within_Block_Kit_limits()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 0; i < 30; i++)
        {
            await _bot.Audit.AppendAsync(new AuditEntry(
                0, start.AddMinutes(i), AuditAction.Run, i % 2 == 0 ? AuditOutcome.Allowed : AuditOutcome.Refused, "production",
                i % 3 == 0 ? "api" : "web", null, FrontDoorApp.Team, "U0ALICE", FrontDoorApp.Channel,
                "/specific job run web -- " + new string('x', 2900) + " " + i, $"{Production}:Run:Users", new string('y', 500)), Ct);
        }

        var json = JsonDocument.Parse(await (await _bot.SlashCommandAsync("job audit", user: "U0ADMIN")).Content.ReadAsStringAsync(Ct)).RootElement;

        var message = SlackJson.Deserialize<SlackMessage>(json.GetRawText());
        Assert.Empty(BlockKitLimits.Check(message));
        var blocks = json.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(1 + 20, blocks.Count);
        // Newest first: entry 29 was refused, entry 28 allowed.
        Assert.StartsWith(":no_entry: *run* refused", blocks[1].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.StartsWith(":white_check_mark: *run* allowed", blocks[2].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        var onlyApi = JsonDocument.Parse(await (await _bot.SlashCommandAsync("job audit api", user: "U0ADMIN")).Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(1 + 10, onlyApi.GetProperty("blocks").GetArrayLength());
        var viewed = await AuditEntryAsync(e => e.Action == AuditAction.Audit);
        Assert.Equal((AuditOutcome.Allowed, "U0ADMIN"), (viewed.Outcome, viewed.UserId));
    }

    [Fact]
    public async Task Audit_is_refused_to_someone_who_is_not_an_admin()
    {
        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job audit web --env staging", user: "U0ALICE"));

        Assert.StartsWith(":no_entry: You can't read the audit trail of `staging`: only the admins of `staging` can read its audit trail.", text, StringComparison.Ordinal);
        var entry = await AuditEntryAsync(e => e.Action == AuditAction.Audit);
        Assert.Equal((AuditOutcome.Refused, "staging", "web"), (entry.Outcome, entry.Environment, entry.Service));
    }

    private async Task<AuditEntry> AuditEntryAsync(Func<AuditEntry, bool> match)
    {
        await FrontDoorApp.EventuallyAsync(() => _bot.Audit.All.Any(match), "an audit entry");
        return _bot.Audit.All.Last(match);
    }

    private static async Task<string> EphemeralTextAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("ephemeral", json.GetProperty("response_type").GetString());
        return json.GetProperty("text").GetString()!;
    }

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("errors", json.GetProperty("response_action").GetString());
        return json.GetProperty("errors");
    }

    private static JsonElement Element(JsonElement view, string blockId) =>
        view.GetProperty("blocks").EnumerateArray()
            .Single(b => b.TryGetProperty("block_id", out var id) && id.GetString() == blockId)
            .GetProperty("element");

    private static string AllText(JsonElement view) => view.GetProperty("blocks").GetRawText();

    private static object Submission(
        string service, string command, string? confirm = null, string? asked = null, string user = "U0ALICE", string? metadata = null)
    {
        var values = new Dictionary<string, object>
        {
            ["job_environment"] = new { job_modal_environment = new { type = "static_select", selected_option = new { value = "production" } } },
            ["job_service_production"] = new { job_modal_service = new { type = "static_select", selected_option = new { value = service } } },
            ["job_command"] = new { job_modal_command = new { type = "plain_text_input", value = command } },
        };
        if (confirm is not null)
        {
            values["job_confirm"] = new { job_modal_confirm = new { type = "plain_text_input", value = confirm } };
        }

        return new
        {
            type = "view_submission",
            team = new { id = FrontDoorApp.Team },
            user = new { id = user, username = user.ToLowerInvariant(), team_id = FrontDoorApp.Team },
            view = new
            {
                id = "V0GUARD",
                callback_id = "job_run_modal",
                hash = "h-" + Guid.NewGuid().ToString("N"),
                private_metadata = metadata ?? (asked is null
                    ? """{"channel_id":"C0CHANNEL","environment":"production"}"""
                    : $$"""{"channel_id":"C0CHANNEL","environment":"production","asked":"{{asked}}"}"""),
                state = new { values },
            },
        };
    }

    private object ButtonClick(string actionId, string jobId, string user, string? responseUrl = null) => new
    {
        type = "block_actions",
        team = new { id = FrontDoorApp.Team },
        user = new { id = user, username = user.ToLowerInvariant(), team_id = FrontDoorApp.Team },
        trigger_id = FrontDoorApp.NewTriggerId(),
        response_url = responseUrl ?? _bot.Slack.NewResponseUrl(),
        channel = new { id = FrontDoorApp.Channel },
        container = new { type = "message", message_ts = "1700000000.000100", channel_id = FrontDoorApp.Channel },
        message = new { ts = "1700000000.000100", text = "job" },
        actions = new[] { new { type = "button", action_id = actionId, block_id = "job_actions", value = jobId, action_ts = $"1700000000.{Random.Shared.Next(100000, 999999)}" } },
    };
}
