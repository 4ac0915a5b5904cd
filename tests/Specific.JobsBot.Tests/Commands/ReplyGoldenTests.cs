using System.Net;
using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.JobsBot.Tests.Threads;
using Specific.Slack;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Commands;

/// <summary>
/// The private replies a person sees after typing <c>/specific …</c>, pinned as golden JSON in Commands/Golden: each is
/// the body the bot's real HTTP pipeline answers Slack with, under a clock that stands still.
/// </summary>
public sealed class ReplyGoldenTests : IAsyncLifetime
{
    private const string Production = "Guardrails:Environments:production";

    /// <summary>Alice and Bob may run in production, which asks for confirmation; the admin administers both environments.</summary>
    private static readonly Dictionary<string, string?> Policy = new()
    {
        [$"{Production}:Run:Users:0"] = "U0ALICE",
        [$"{Production}:Run:Users:1"] = "U0BOB",
        [$"{Production}:Admins:Users:0"] = "U0ADMIN",
        [$"{Production}:Services:api:RequireConfirmation"] = "false",
        ["Guardrails:Environments:staging:Run:Users:0"] = "*",
        ["Guardrails:Environments:staging:Admins:Users:0"] = "U0ADMIN",
    };

    // Frozen at the real time, so the request signatures (made with the real time) stay within Slack's 5 minutes.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private FrontDoorApp _bot = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _bot = await FrontDoorApp.StartAsync(clock: _clock, settings: Policy);

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Help_shows_the_usage() =>
        GoldenFile.Verify("reply_help", await ReplyToAsync("help"));

    [Fact]
    public async Task Unknown_option_says_which_and_shows_the_usage() =>
        GoldenFile.Verify("reply_invalid_unknown_option", await ReplyToAsync("job run web --force echo hi"));

    [Fact]
    public async Task Time_limit_over_the_maximum_gives_the_range_and_an_example() =>
        GoldenFile.Verify("reply_invalid_timeout", await ReplyToAsync("job run web --timeout 48h echo hi"));

    [Fact]
    public async Task Unknown_service_suggests_the_closest_deployment() =>
        GoldenFile.Verify("reply_invalid_unknown_service", await ReplyToAsync("job run wbe echo hi"));

    [Fact]
    public async Task Job_list_shows_the_channels_recent_jobs_newest_first()
    {
        _bot.Jobs.Put(Job("j-list0001", "web", JobState.Cancelled, Now.AddDays(-3)) with
        {
            Command = "curl -H 'Authorization: Bearer abcdef0123456789' https://example.com/hooks/reindex",
        });
        _bot.Jobs.Put(Job("j-list0002", "worker", JobState.Failed, Now.AddHours(-2)) with { Command = "set -e\nbundle exec rake db:migrate" });
        _bot.Jobs.Put(Job("j-list0003", "web", JobState.Succeeded, Now.AddMinutes(-5)) with { Name = "nightly-backfill", Timeout = TimeSpan.FromHours(1) });
        _bot.Jobs.Put(Job("j-list0004", "api", JobState.Running, Now.AddSeconds(-30), user: "U0BOB") with
        {
            Command = "./manage.py backfill --since 2024-01-01",
            Timeout = TimeSpan.FromMinutes(90),
        });
        _bot.Jobs.Put(Job("j-elsewhere", "web", JobState.Running, Now.AddMinutes(-1)) with
        {
            Origin = new JobOrigin(JobOrigin.Slack, FrontDoorApp.Team, "C0ELSEWHERE", "U0BOB", "bob"),
        });

        GoldenFile.Verify("reply_list", await ReplyToAsync("job list"));
    }

    [Fact]
    public async Task Job_list_without_jobs_says_how_to_start_one() =>
        GoldenFile.Verify("reply_list_empty", await ReplyToAsync("job list"));

    [Fact]
    public async Task Job_logs_shows_the_last_lines_and_how_to_get_the_rest()
    {
        _bot.Jobs.Put(Job("j-logs0001", "web", JobState.Running, Now.AddMinutes(-2)));
        _bot.Logs.Write("j-logs0001", Enumerable.Range(1, 50).Select(i => $"[backfill] batch {i}/50: 1000 rows copied").ToArray());

        GoldenFile.Verify("reply_logs_tail", await ReplyToAsync("job logs j-logs0001"));
    }

    [Fact]
    public async Task Job_logs_of_a_job_without_output_says_so()
    {
        _bot.Jobs.Put(Job("j-logs0002", "web", JobState.Succeeded, Now.AddMinutes(-2)));

        GoldenFile.Verify("reply_logs_empty", await ReplyToAsync("job logs j-logs0002"));
    }

    [Fact]
    public async Task Job_logs_grep_shows_the_first_matches_with_line_numbers_and_how_many_more()
    {
        _bot.Jobs.Put(Job("j-grep0001", "worker", JobState.Failed, Now.AddMinutes(-10)));
        _bot.Logs.Write("j-grep0001", Enumerable.Range(1, 400).Select(i => i % 10 == 0 ? $"ERROR step {i}: connection reset by peer" : $"ok step {i}").ToArray());

        GoldenFile.Verify("reply_logs_grep", await ReplyToAsync("job logs j-grep0001 --grep error"));
    }

    [Fact]
    public async Task Job_logs_grep_without_a_match_says_so()
    {
        _bot.Jobs.Put(Job("j-grep0002", "worker", JobState.Succeeded, Now.AddMinutes(-10)));
        _bot.Logs.Write("j-grep0002", "starting", "all good", "done");

        GoldenFile.Verify("reply_logs_grep_no_match", await ReplyToAsync("job logs j-grep0002 --grep \"timed out\""));
    }

    [Fact]
    public async Task Job_logs_redacts_what_it_can_and_warns_when_secret_values_could_not_be_read()
    {
        _bot.Jobs.Put(Job("j-logs0003", "web", JobState.Running, Now.AddMinutes(-2)));
        _bot.Logs.Write("j-logs0003", "connecting to postgres://app:hunter2-but-longer@db:5432/app", "Authorization: Bearer abcdef0123456789", "ok");
        _bot.Redaction.Use([], "Secret values could not be read, so they may show here; only token shapes are redacted: Secret `db` no longer exists in `production`.");

        GoldenFile.Verify("reply_logs_redaction_warning", await ReplyToAsync("job logs j-logs0003"));
    }

    [Fact]
    public async Task Job_logs_file_says_where_the_whole_log_goes()
    {
        _bot.Jobs.Put(Job("j-logs0004", "web", JobState.Failed, Now.AddMinutes(-2)) with
        {
            Origin = new JobOrigin(JobOrigin.Slack, FrontDoorApp.Team, "C0DEPLOYS", "U0ALICE", "alice"),
        });

        GoldenFile.Verify("reply_logs_file_elsewhere", await ReplyToAsync("job logs j-logs0004 --file"));
    }

    [Fact]
    public async Task Job_logs_of_a_job_past_the_log_retention_says_its_lines_were_deleted()
    {
        _bot.Jobs.Put(Job("j-old00001", "web", JobState.Succeeded, Now.AddDays(-45).AddSeconds(-3)));

        GoldenFile.Verify("reply_logs_deleted", await ReplyToAsync("job logs j-old00001"));
    }

    [Fact]
    public async Task Job_logs_grep_of_a_job_past_the_log_retention_says_its_lines_were_deleted()
    {
        _bot.Jobs.Put(Job("j-old00002", "web", JobState.Failed, Now.AddDays(-45).AddSeconds(-3)));

        var reply = await ReplyToAsync("job logs j-old00002 --grep error");

        Assert.Contains("Its output is no longer stored: log lines are kept 30 days after a job ends, and this one ended 45 days ago.", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_logs_of_an_unknown_job_says_so() =>
        GoldenFile.Verify("reply_logs_unknown_job", await ReplyToAsync("job logs j-nothere1"));

    [Fact]
    public async Task Cancel_by_the_person_who_started_the_job_says_cancelling()
    {
        _bot.Jobs.Put(Job("j-cancel01", "web", JobState.Running, Now.AddMinutes(-1)));

        GoldenFile.Verify("reply_cancel_cancelling", await ReplyToAsync("job cancel j-cancel01"));
    }

    [Fact]
    public async Task Cancel_of_a_job_that_already_ended_says_there_is_nothing_to_cancel()
    {
        _bot.Jobs.Put(Job("j-cancel02", "web", JobState.Succeeded, Now.AddMinutes(-1)));

        GoldenFile.Verify("reply_cancel_already_ended", await ReplyToAsync("job cancel j-cancel02"));
    }

    [Fact]
    public async Task Cancel_by_someone_who_may_not_says_who_may_and_whom_to_ask()
    {
        _bot.Jobs.Put(Job("j-cancel03", "web", JobState.Running, Now.AddMinutes(-1)));

        GoldenFile.Verify("reply_cancel_not_allowed", await ReplyToAsync("job cancel j-cancel03", user: "U0BOB"));
    }

    [Fact]
    public async Task Run_that_may_start_says_starting() =>
        GoldenFile.Verify("reply_run_starting", await ReplyToAsync("job run api --name greet echo \"$GREETING\" | tr a-z A-Z", user: "U0BOB"));

    [Fact]
    public async Task Run_of_a_multi_line_command_shows_it_as_a_code_block() =>
        GoldenFile.Verify("reply_run_starting_code_block", await ReplyToAsync("job run api -- set -e\n./manage.py check --deploy\necho `date`", user: "U0BOB"));

    [Fact]
    public async Task Run_refused_by_the_guardrails_names_the_rule_and_the_admins() =>
        GoldenFile.Verify("reply_run_refused", await ReplyToAsync("job run web echo hi", user: "U0MALLORY"));

    [Fact]
    public async Task Run_that_must_be_confirmed_points_at_the_form() =>
        GoldenFile.Verify("reply_run_confirmation", await ReplyToAsync("job run web --name greet echo hi"));

    [Fact]
    public async Task Migration_that_must_be_confirmed_also_says_where_migrations_belong() =>
        GoldenFile.Verify("reply_run_confirmation_migration", await ReplyToAsync("job run web --env staging -- bundle exec rake db:migrate", user: "U0MALLORY"));

    [Fact]
    public async Task Audit_shows_recent_attempts_newest_first()
    {
        await AppendAuditAsync(Now.AddHours(-3), AuditAction.Run, AuditOutcome.Allowed, "web", "j-audit001", "U0ALICE",
            "/specific job run web echo hi", $"{Production}:Run:Users", null);
        await AppendAuditAsync(Now.AddHours(-2), AuditAction.Run, AuditOutcome.Refused, "web", null, "U0MALLORY",
            "/specific job run web echo hi", $"{Production}:Run:Users",
            ":no_entry: You can't run jobs on `web` in `production`: only <@U0ALICE>, <@U0BOB> may run jobs on `web` in `production`.\n"
            + "Rule: `Guardrails:Environments:production:Run:Users`. Ask an admin of `production` for access: <@U0ADMIN>.");
        await AppendAuditAsync(Now.AddMinutes(-40), AuditAction.Run, AuditOutcome.ConfirmationRequested, "worker", null, "U0BOB",
            "/specific job run worker -- bundle exec rake db:migrate", $"{Production}:RequireConfirmation (on by default in production)",
            "A form asks for the service name.");
        await AppendAuditAsync(Now.AddMinutes(-5), AuditAction.Cancel, AuditOutcome.Allowed, "web", "j-audit001", "U0ADMIN",
            "Cancel button", $"{Production}:Admins:Users", null);

        GoldenFile.Verify("reply_audit", await ReplyToAsync("job audit", user: "U0ADMIN"));
    }

    [Fact]
    public async Task Audit_without_entries_says_so() =>
        GoldenFile.Verify("reply_audit_empty", await ReplyToAsync("job audit web --env staging", user: "U0ADMIN"));

    [Fact]
    public async Task Audit_is_refused_to_someone_who_is_not_an_admin() =>
        GoldenFile.Verify("reply_audit_refused", await ReplyToAsync("job audit --env staging"));

    [Fact]
    public async Task Notify_alone_shows_that_direct_messages_are_on_until_turned_off() =>
        GoldenFile.Verify("reply_notify_on_by_default", await ReplyToAsync("notify"));

    [Fact]
    public async Task Notify_off_is_kept_for_that_person_and_said_back()
    {
        GoldenFile.Verify("reply_notify_off", await ReplyToAsync("notify off"));

        Assert.False(await _bot.Notices.GetDmOnJobEndAsync("U0ALICE", Ct));
        Assert.Null(await _bot.Notices.GetDmOnJobEndAsync("U0BOB", Ct));
        GoldenFile.Verify("reply_notify_shows_off", await ReplyToAsync("notify"));
    }

    [Fact]
    public async Task Notify_on_turns_direct_messages_back_on()
    {
        await _bot.Notices.SetDmOnJobEndAsync("U0ALICE", on: false, Now, Ct);

        GoldenFile.Verify("reply_notify_on", await ReplyToAsync("notify on"));

        Assert.True(await _bot.Notices.GetDmOnJobEndAsync("U0ALICE", Ct));
    }

    [Fact]
    public async Task Notify_with_a_store_that_fails_says_nothing_changed()
    {
        _bot.Notices.FailWith = new InvalidOperationException("the store is down");

        GoldenFile.Verify("reply_notify_store_down", await ReplyToAsync("notify off"));
    }

    [Fact]
    public async Task Notify_with_a_word_it_does_not_take_says_which_and_shows_the_usage() =>
        GoldenFile.Verify("reply_invalid_notify", await ReplyToAsync("notify always"));

    /// <summary>Types the command as <paramref name="user"/> in #ops and reads the private reply exactly as Slack receives it.</summary>
    private async Task<SlackMessage> ReplyToAsync(string text, string user = "U0ALICE")
    {
        var response = await _bot.SlashCommandAsync(text, user);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var wire = await response.Content.ReadAsStringAsync(Ct);
        var reply = SlackJson.Deserialize<SlackMessage>(wire);
        Assert.Equal(ResponseType.Ephemeral, reply.ResponseType);
        // Read back and written again unchanged: the golden file holds everything Slack received, nothing more.
        Assert.Equal(wire, SlackJson.Serialize(reply));
        return reply;
    }

    private Task AppendAuditAsync(
        DateTimeOffset at, AuditAction action, AuditOutcome outcome, string service, string? jobId, string user, string command, string? rule, string? detail) =>
        _bot.Audit.AppendAsync(
            new AuditEntry(0, at, action, outcome, "production", service, jobId, FrontDoorApp.Team, user, FrontDoorApp.Channel, command, rule, detail), Ct);

    private static JobRecord Job(string id, string service, JobState state, DateTimeOffset createdAt, string user = "U0ALICE") =>
        SlashCommandEndpointTests.Job(id, service, state, createdAt, user);
}
