using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using System.Text.Json;
using Specific.Jobs.Domain;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.Slack.Signatures;

namespace Specific.JobsBot.Tests.Commands;

public sealed class SlashCommandEndpointTests : IAsyncLifetime
{
    private FrontDoorApp _bot = null!;

    public async ValueTask InitializeAsync() => _bot = await FrontDoorApp.StartAsync();

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    private static async Task<JsonElement> EphemeralAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ephemeral", json.GetProperty("response_type").GetString());
        return json;
    }

    private static string Body(string text) => FrontDoorApp.Encode(new Dictionary<string, string>
    {
        ["team_id"] = FrontDoorApp.Team, ["channel_id"] = FrontDoorApp.Channel, ["user_id"] = "U0ALICE",
        ["command"] = "/specific", ["text"] = text, ["trigger_id"] = FrontDoorApp.NewTriggerId(),
    });

    [Fact]
    public async Task Unsigned_request_is_rejected_with_401_and_no_detail()
    {
        using var content = new StringContent(Body("job run web echo hi"), Encoding.UTF8, "application/x-www-form-urlencoded");

        var response = await _bot.Client.PostAsync("/slack/commands", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Tampered_body_is_rejected_with_401()
    {
        var body = Encoding.UTF8.GetBytes(Body("job run web echo hi"));
        var (timestamp, signature) = SlackSignature.Sign(FrontDoorApp.SigningSecret, DateTimeOffset.UtcNow, body);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/slack/commands")
        {
            Content = new StringContent(Body("job run web rm -rf /"), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
        request.Headers.Add(SlackSignature.SignatureHeader, signature);

        var response = await _bot.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public async Task Stale_or_future_timestamps_are_rejected_with_401(int secondsFromNow)
    {
        var response = await _bot.PostSignedAsync("/slack/commands", Body("help"), at: DateTimeOffset.UtcNow.AddSeconds(secondsFromNow));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_timestamp_within_the_window_is_accepted()
    {
        var response = await _bot.PostSignedAsync("/slack/commands", Body("help"), at: DateTimeOffset.UtcNow.AddSeconds(-250));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Help_is_answered_ephemerally_with_the_usage()
    {
        var json = await EphemeralAsync(await _bot.SlashCommandAsync("help"));

        var text = json.GetProperty("text").GetString()!;
        Assert.Contains("/specific job run <service> [--env <name>] [--name <label>] [--timeout <duration>] [--] <command…>", text, StringComparison.Ordinal);
        Assert.Contains("/specific job list", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_command_gets_an_ephemeral_error_with_the_usage_and_no_job()
    {
        var json = await EphemeralAsync(await _bot.SlashCommandAsync("job run web --force echo hi"));

        var text = json.GetProperty("text").GetString()!;
        Assert.Contains("Unknown option `--force`", text, StringComparison.Ordinal);
        Assert.Contains("*Usage*", text, StringComparison.Ordinal);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Unknown_service_suggests_the_closest_live_deployment_and_creates_no_job()
    {
        var json = await EphemeralAsync(await _bot.SlashCommandAsync("job run wbe echo hi"));

        Assert.Contains("No service `wbe` is deployed in `production`. Did you mean `web`?", json.GetProperty("text").GetString(), StringComparison.Ordinal);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Unknown_environment_lists_the_configured_ones()
    {
        var json = await EphemeralAsync(await _bot.SlashCommandAsync("job run web --env prod echo hi"));

        Assert.Contains("Unknown environment `prod`. Configured: `production`, `staging`.", json.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_service_catalog_is_an_ephemeral_error_not_a_500()
    {
        _bot.Catalog.FailWith = new HttpRequestException("connection refused");

        var json = await EphemeralAsync(await _bot.SlashCommandAsync("job run web echo hi"));

        Assert.Contains("Couldn't list the services of `production` (connection refused); nothing was started.", json.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task A_stalled_service_catalog_still_gets_an_answer_within_three_seconds()
    {
        _bot.Catalog.Delay = TimeSpan.FromSeconds(10);
        var watch = Stopwatch.StartNew();

        var json = await EphemeralAsync(await _bot.SlashCommandAsync("job run web echo hi"));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"answered after {watch.Elapsed}");
        Assert.Contains("Couldn't list the services of `production` within 2 seconds", json.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_answers_at_once_then_records_and_starts_the_job_with_the_command_verbatim()
    {
        var json = await EphemeralAsync(await _bot.SlashCommandAsync(
            "job run web --env staging --name greet echo \"$GREETING\" | tr a-z A-Z &gt; /tmp/out", user: "U0BOB"));

        Assert.Equal("Starting `echo \"$GREETING\" | tr a-z A-Z > /tmp/out` (greet) on `web` in `staging`…", json.GetProperty("text").GetString());
        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the job to start");
        var job = Assert.Single(_bot.Jobs.All);
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal("web", job.Service);
        Assert.Equal("staging", job.Environment);
        Assert.Equal("greet", job.Name);
        Assert.Equal("echo \"$GREETING\" | tr a-z A-Z > /tmp/out", job.Command);
        Assert.Equal(new JobOrigin(JobOrigin.Slack, FrontDoorApp.Team, FrontDoorApp.Channel, "U0BOB", "u0bob"), job.Origin);
    }

    [Fact]
    public async Task A_slack_retry_of_the_same_command_starts_one_job()
    {
        var trigger = FrontDoorApp.NewTriggerId();

        var first = await _bot.SlashCommandAsync("job run web echo once", triggerId: trigger);
        var retry = await _bot.SlashCommandAsync("job run web echo once", triggerId: trigger, retryNum: 1);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("", await retry.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the job to start");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Single(_bot.Jobs.All);
    }

    [Fact]
    public async Task A_job_that_cannot_start_is_marked_failed_and_the_user_is_told()
    {
        _bot.Launcher.FailStartWith = new InvalidOperationException("Temporal is unreachable");
        var responseUrl = _bot.Slack.NewResponseUrl();

        await EphemeralAsync(await _bot.SlashCommandAsync("job run web echo hi", responseUrl: responseUrl));

        var told = await _bot.Slack.WaitForAsync(new Uri(responseUrl).AbsolutePath);
        Assert.Equal("ephemeral", told.Json.GetProperty("response_type").GetString());
        Assert.Contains("could not start: The job could not be started: Temporal is unreachable", told.Json.GetProperty("text").GetString(), StringComparison.Ordinal);
        var job = Assert.Single(_bot.Jobs.All);
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("The job could not be started: Temporal is unreachable", job.FailureReason);
    }

    [Fact]
    public async Task Run_with_nothing_after_it_opens_the_modal_with_the_live_services()
    {
        var trigger = FrontDoorApp.NewTriggerId();

        var response = await _bot.SlashCommandAsync("job run", triggerId: trigger);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var open = (await _bot.Slack.WaitForAsync("/api/views.open")).Json;
        Assert.Equal(trigger, open.GetProperty("trigger_id").GetString());
        var view = open.GetProperty("view");
        Assert.Equal("job_run_modal", view.GetProperty("callback_id").GetString());
        Assert.Contains("\"channel_id\":\"C0CHANNEL\"", view.GetProperty("private_metadata").GetString(), StringComparison.Ordinal);
        var serviceBlock = view.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("block_id").GetString() == "job_service_production");
        var options = serviceBlock.GetProperty("element").GetProperty("options").EnumerateArray().Select(o => o.GetProperty("value").GetString());
        Assert.Equal(["api", "web", "worker"], options);
        var command = view.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("block_id").GetString() == "job_command");
        Assert.True(command.GetProperty("element").GetProperty("multiline").GetBoolean());
    }

    [Fact]
    public async Task Job_list_shows_recent_jobs_with_state_and_age()
    {
        _bot.Jobs.Put(Job("j-aaaaaaaa", "web", JobState.Succeeded, DateTimeOffset.UtcNow.AddMinutes(-5)));
        _bot.Jobs.Put(Job("j-bbbbbbbb", "api", JobState.Running, DateTimeOffset.UtcNow.AddSeconds(-30)));

        var all = (await EphemeralAsync(await _bot.SlashCommandAsync("job list"))).GetProperty("text").GetString()!;
        var web = (await EphemeralAsync(await _bot.SlashCommandAsync("job list web"))).GetProperty("text").GetString()!;

        Assert.True(all.IndexOf("j-bbbbbbbb", StringComparison.Ordinal) < all.IndexOf("j-aaaaaaaa", StringComparison.Ordinal), all);
        Assert.Contains("✅ `j-aaaaaaaa` · `web` in production · succeeded · requested 5 minutes ago by <@U0ALICE>", all, StringComparison.Ordinal);
        Assert.Contains("▶️ `j-bbbbbbbb`", all, StringComparison.Ordinal);
        Assert.DoesNotContain("j-bbbbbbbb", web, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_logs_shows_the_tail_preformatted_within_block_kit_limits_and_points_at_the_file_and_grep()
    {
        _bot.Jobs.Put(Job("j-cccccccc", "web", JobState.Running, DateTimeOffset.UtcNow));
        _bot.Logs.Write("j-cccccccc", Enumerable.Range(1, 50).Select(i => $"line {i} <@U0ALL> & ```").ToArray());

        var json = await EphemeralAsync(await _bot.SlashCommandAsync("job logs j-cccccccc"));

        Assert.Contains("lines 21–50 of 50", json.GetProperty("text").GetString(), StringComparison.Ordinal);
        var preformatted = Preformatted(json);
        Assert.StartsWith("line 21 <@U0ALL> & ```\n", preformatted, StringComparison.Ordinal);
        Assert.EndsWith("line 50 <@U0ALL> & ```", preformatted, StringComparison.Ordinal);
        Assert.Contains("--file", json.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_logs_grep_shows_matching_lines_with_their_numbers_and_how_many_more_matched()
    {
        _bot.Jobs.Put(Job("j-grepgrep", "web", JobState.Succeeded, DateTimeOffset.UtcNow));
        _bot.Logs.Write("j-grepgrep", Enumerable.Range(1, 400).Select(i => i % 10 == 0 ? $"ERROR at step {i}" : $"ok {i}").ToArray());

        var json = await EphemeralAsync(await _bot.SlashCommandAsync("job logs j-grepgrep --grep error"));

        var text = json.GetProperty("text").GetString()!;
        Assert.Contains("40 lines contain `error`", text, StringComparison.Ordinal);
        Assert.Contains("Showing the first 25; 15 more match.", text, StringComparison.Ordinal);
        var rows = Preformatted(json).Split('\n');
        Assert.Equal(25, rows.Length);
        Assert.Equal(" 10  ERROR at step 10", rows[0]);
        Assert.Equal("250  ERROR at step 250", rows[^1]);
    }

    [Fact]
    public async Task Job_logs_grep_without_a_match_says_so()
    {
        _bot.Jobs.Put(Job("j-grepnone", "web", JobState.Succeeded, DateTimeOffset.UtcNow));
        _bot.Logs.Write("j-grepnone", "all good");

        var text = (await EphemeralAsync(await _bot.SlashCommandAsync("job logs j-grepnone --grep \"timed out\""))).GetProperty("text").GetString()!;

        Assert.Contains("No line contains `timed out`", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_logs_file_uploads_the_whole_log_into_the_jobs_thread()
    {
        _bot.Jobs.Put(Job("j-filefile", "web", JobState.Failed, DateTimeOffset.UtcNow));
        _bot.Logs.Write("j-filefile", Enumerable.Range(1, 300).Select(i => $"row {i}").ToArray());
        await _bot.Services.GetRequiredService<Specific.Jobs.Storage.IThreadStore>().SaveAsync(
            new Specific.Jobs.Storage.JobThread("j-filefile", FrontDoorApp.Channel, "1700000000.000555", 1, "failed", 300, true),
            TestContext.Current.CancellationToken);

        var text = (await EphemeralAsync(await _bot.SlashCommandAsync("job logs j-filefile --file"))).GetProperty("text").GetString()!;

        Assert.Contains("Uploading the whole log of `j-filefile`", text, StringComparison.Ordinal);
        var complete = (await _bot.Slack.WaitForAsync("/api/files.completeUploadExternal")).Json;
        Assert.Equal("1700000000.000555", complete.GetProperty("thread_ts").GetString());
        var lines = (await _bot.Slack.WaitForAsync("/upload/F0001")).Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(300, lines.Length);
        Assert.EndsWith(" row 300", lines[^1], StringComparison.Ordinal);
    }

    private static string Preformatted(JsonElement reply) =>
        reply.GetProperty("blocks").EnumerateArray()
            .Where(block => block.GetProperty("type").GetString() == "rich_text")
            .SelectMany(block => block.GetProperty("elements").EnumerateArray())
            .Where(element => element.GetProperty("type").GetString() == "rich_text_preformatted")
            .Select(element => element.GetProperty("elements")[0].GetProperty("text").GetString()!)
            .Single();

    [Fact]
    public async Task Job_logs_redacts_secret_values_and_shapes_and_says_when_values_could_not_be_read()
    {
        _bot.Jobs.Put(Job("j-rrrrrrrr", "web", JobState.Running, DateTimeOffset.UtcNow));
        _bot.Logs.Write("j-rrrrrrrr", "connecting with hunter2-but-longer", "Authorization: Bearer abcdef0123456789", "ok");
        _bot.Redaction.Use(["hunter2-but-longer"]);

        var reply = await EphemeralAsync(await _bot.SlashCommandAsync("job logs j-rrrrrrrr"));

        Assert.Equal("connecting with [redacted]\nAuthorization: Bearer [redacted]\nok", Preformatted(reply));
        Assert.DoesNotContain("hunter2", reply.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(":warning:", reply.GetRawText(), StringComparison.Ordinal);

        _bot.Redaction.Use([], "Secret values could not be read, so they may show here; only token shapes are redacted: Secret `db` no longer exists in `production`.");
        reply = await EphemeralAsync(await _bot.SlashCommandAsync("job logs j-rrrrrrrr"));
        var text = reply.GetProperty("text").GetString()!;
        Assert.Contains("connecting with hunter2-but-longer", Preformatted(reply), StringComparison.Ordinal);
        Assert.Contains(":warning: Secret values could not be read", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_logs_of_an_unknown_job_says_so()
    {
        var text = (await EphemeralAsync(await _bot.SlashCommandAsync("job logs j-nothere1"))).GetProperty("text").GetString()!;

        Assert.Contains("No job `j-nothere1`", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_by_another_user_is_refused()
    {
        _bot.Jobs.Put(Job("j-dddddddd", "web", JobState.Running, DateTimeOffset.UtcNow));

        var text = (await EphemeralAsync(await _bot.SlashCommandAsync("job cancel j-dddddddd", user: "U0MALLORY"))).GetProperty("text").GetString()!;

        Assert.Contains("only <@U0ALICE>, who started it, and the admins of `production` can cancel job `j-dddddddd`.", text, StringComparison.Ordinal);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Empty(_bot.Launcher.Cancelled);
        Assert.Null(_bot.Jobs.Get("j-dddddddd").CancelRequestedAt);
    }

    [Fact]
    public async Task Cancel_by_the_person_who_started_the_job_asks_the_flow_to_cancel()
    {
        _bot.Jobs.Put(Job("j-eeeeeeee", "web", JobState.Running, DateTimeOffset.UtcNow));

        var text = (await EphemeralAsync(await _bot.SlashCommandAsync("job cancel j-eeeeeeee", user: "U0ALICE"))).GetProperty("text").GetString()!;

        Assert.Equal("Cancelling job `j-eeeeeeee` on `web`…", text);
        await FrontDoorApp.EventuallyAsync(() => _bot.Launcher.Cancelled.Contains("j-eeeeeeee"), "the cancel");
    }

    [Fact]
    public async Task Cancel_is_recorded_in_the_job_store_before_the_answer_says_cancelling()
    {
        _bot.Jobs.Put(Job("j-ffffffff", "web", JobState.Running, DateTimeOffset.UtcNow));

        var text = (await EphemeralAsync(await _bot.SlashCommandAsync("job cancel j-ffffffff", user: "U0ALICE"))).GetProperty("text").GetString()!;
        var recorded = _bot.Jobs.Get("j-ffffffff");

        Assert.StartsWith("Cancelling job `j-ffffffff`", text, StringComparison.Ordinal);
        Assert.Equal("U0ALICE", recorded.CancelRequestedBy);
        Assert.NotNull(recorded.CancelRequestedAt);
        await FrontDoorApp.EventuallyAsync(() => _bot.Launcher.Cancelled.Contains("j-ffffffff"), "the cancel");
    }

    [Fact]
    public async Task Cancel_that_cannot_be_recorded_is_not_acknowledged_and_asks_to_try_again()
    {
        _bot.Jobs.Put(Job("j-hhhhhhhi", "web", JobState.Running, DateTimeOffset.UtcNow));
        _bot.Jobs.FailCancelRequestsWith = new InvalidOperationException("the database is read-only");

        var text = (await EphemeralAsync(await _bot.SlashCommandAsync("job cancel j-hhhhhhhi", user: "U0ALICE"))).GetProperty("text").GetString()!;

        Assert.Equal(":x: Couldn't record the cancel of job `j-hhhhhhhi` (the database is read-only), so nothing was cancelled. Try again in a moment.", text);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Empty(_bot.Launcher.Cancelled);
    }

    [Fact]
    public async Task A_slack_retry_that_reaches_another_replica_starts_one_job()
    {
        await using var replica = await FrontDoorApp.StartAsync(replicaOf: _bot);
        var trigger = FrontDoorApp.NewTriggerId();

        var first = await _bot.SlashCommandAsync("job run web echo once", triggerId: trigger);
        var retry = await replica.SlashCommandAsync("job run web echo once", triggerId: trigger, retryNum: 1);

        // The other replica has not seen the trigger_id, so it acknowledges; its queue asks the shared ledger first.
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the job to start");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Single(_bot.Jobs.All);
        Assert.Single(_bot.Launcher.Started);
    }

    [Fact]
    public async Task The_acknowledgement_does_not_wait_on_the_request_ledger()
    {
        var slowLedger = new TaskCompletionSource();
        _bot.Ledger.Gate = slowLedger.Task;

        var watch = Stopwatch.StartNew();
        var json = await EphemeralAsync(await _bot.SlashCommandAsync("job run web echo hi"));
        watch.Stop();

        Assert.StartsWith("Starting `echo hi`", json.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(_bot.Jobs.All);
        slowLedger.SetResult();
        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the job to start once the ledger answers");
        Assert.Single(_bot.Jobs.All);
    }

    [Fact]
    public async Task A_storage_outage_tells_the_user_privately_that_nothing_was_started()
    {
        _bot.Ledger.FailWith = new InvalidOperationException("database is locked");
        var responseUrl = _bot.Slack.NewResponseUrl();
        var trigger = FrontDoorApp.NewTriggerId();

        await EphemeralAsync(await _bot.SlashCommandAsync("job run web echo hi", triggerId: trigger, responseUrl: responseUrl));

        var told = await _bot.Slack.WaitForAsync(new Uri(responseUrl).AbsolutePath);
        Assert.Equal(
            ":x: Couldn't check whether this request was already handled (database is locked). Nothing was started; try again in a moment.",
            told.Json.GetProperty("text").GetString());
        Assert.Empty(_bot.Jobs.All);

        // Nothing happened, so Slack's retry of the same command may start it once the store is back.
        _bot.Ledger.FailWith = null;
        await EphemeralAsync(await _bot.SlashCommandAsync("job run web echo hi", triggerId: trigger, retryNum: 1));
        await FrontDoorApp.EventuallyAsync(() => !_bot.Launcher.Started.IsEmpty, "the retried job to start");
        Assert.Single(_bot.Jobs.All);
    }

    [Fact]
    public async Task Slacks_certificate_check_is_answered_with_200()
    {
        var response = await _bot.PostSignedAsync("/slack/commands", "ssl_check=1&token=legacy");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    internal static JobRecord Job(string id, string service, JobState state, DateTimeOffset createdAt, string user = "U0ALICE") => new()
    {
        Id = id,
        Service = service,
        Environment = "production",
        Command = "echo hi",
        Origin = new JobOrigin(JobOrigin.Slack, FrontDoorApp.Team, FrontDoorApp.Channel, user, "alice"),
        State = state,
        Version = 1,
        CreatedAt = createdAt,
        FinishedAt = state.IsFinal() ? createdAt.AddSeconds(3) : null,
    };
}
