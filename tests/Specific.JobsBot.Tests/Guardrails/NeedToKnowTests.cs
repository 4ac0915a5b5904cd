using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Tests.Commands;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.JobsBot.Threads;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>
/// Need to know for logs and lists, through the bot's real HTTP pipeline: a production job started in #ops is read
/// there, by its starter, its environment's runners and admins, and by nobody else; every read is audited; job list
/// shows a channel its own jobs (an admin also those of the environments they administer), redacted by value.
/// </summary>
public sealed class NeedToKnowTests : IAsyncLifetime
{
    private const string Production = "Guardrails:Environments:production";
    private const string Ops = "C0OPS";
    private const string General = "C0GENERAL";
    private const string TypedSecret = "pk_live_typed-into-the-command";

    private static readonly Dictionary<string, string?> Policy = new()
    {
        [$"{Production}:Run:Users:0"] = "U0RUNNER",
        [$"{Production}:Admins:Users:0"] = "U0ADMIN",
        [$"{Production}:RequireConfirmation"] = "false",
        ["Guardrails:Environments:staging:Run:Users:0"] = "*",
        ["Guardrails:Admins:Users:0"] = "U0ROOT",
    };

    private FrontDoorApp _bot = null!;

    public async ValueTask InitializeAsync() => _bot = await FrontDoorApp.StartAsync(settings: Policy);

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("job logs j-opsjob01")]
    [InlineData("job logs j-opsjob01 --grep started")]
    [InlineData("job logs j-opsjob01 --file")]
    public async Task Log_read_from_another_channel_by_someone_without_a_need_to_know_is_refused_without_the_jobs_details_and_audited(string typed)
    {
        PutOpsJob();

        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync(typed, user: "U0MALLORY", channel: General));

        Assert.StartsWith(":no_entry: You can't read the log of job `j-opsjob01` here:", text, StringComparison.Ordinal);
        Assert.Contains("Ask in <#C0OPS>, where the job ran, or ask an admin of `production`: <@U0ADMIN>, <@U0ROOT>.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("echo", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TypedSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("started the cache purge", text, StringComparison.Ordinal);
        var entry = await AuditEntryAsync(e => e.UserId == "U0MALLORY");
        Assert.Equal((AuditAction.Logs, AuditOutcome.Refused, AccessPolicy.NeedToKnowRule), (entry.Action, entry.Outcome, entry.Rule));
        Assert.Equal(("production", "web", "j-opsjob01", General, $"/specific {typed}"), (entry.Environment, entry.Service, entry.JobId, entry.ChannelId, entry.CommandText));
        // Nothing is published: no file anywhere, and no post outside the job's own channel (where its keeper posts its message).
        Assert.DoesNotContain(_bot.Slack.Calls, c => c.Path.StartsWith("/api/files.", StringComparison.Ordinal)
            || (c.Path == "/api/chat.postMessage" && c.Json.GetProperty("channel").GetString() != Ops));
    }

    [Theory]
    [InlineData("U0MALLORY", Ops, AccessPolicy.JobChannelRule)]
    [InlineData("U0STARTER", General, "starter")]
    [InlineData("U0ADMIN", General, $"{Production}:Admins:Users")]
    [InlineData("U0ROOT", General, "Guardrails:Admins:Users")]
    [InlineData("U0RUNNER", General, $"{Production}:Run:Users")]
    public async Task Whoever_needs_to_know_reads_the_tail_and_the_read_is_audited(string user, string channel, string rule)
    {
        PutOpsJob();

        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job logs j-opsjob01", user: user, channel: channel));

        Assert.Contains("`j-opsjob01` on `web` in production, succeeded. Output, all 2 lines.", text, StringComparison.Ordinal);
        var entry = await AuditEntryAsync(e => e.UserId == user);
        Assert.Equal((AuditAction.Logs, AuditOutcome.Allowed, rule, channel), (entry.Action, entry.Outcome, entry.Rule, entry.ChannelId));
    }

    [Fact]
    public async Task Whole_log_asked_for_from_another_channel_goes_into_the_jobs_thread_and_its_link_is_told_privately()
    {
        PutOpsJob();
        await _bot.Services.GetRequiredService<IThreadStore>().SaveAsync(
            new JobThread("j-opsjob01", Ops, "1700000000.000555", 1, "succeeded", 2, true), Ct);
        var responseUrl = _bot.Slack.NewResponseUrl();

        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job logs j-opsjob01 --file", user: "U0STARTER", channel: General, responseUrl: responseUrl));

        Assert.Contains("into its thread in <#C0OPS>", text, StringComparison.Ordinal);
        var complete = (await _bot.Slack.WaitForAsync("/api/files.completeUploadExternal")).Json;
        Assert.Equal((Ops, "1700000000.000555"), (complete.GetProperty("channel_id").GetString(), complete.GetProperty("thread_ts").GetString()));
        var told = (await _bot.Slack.WaitForAsync(new Uri(responseUrl).AbsolutePath, c => c.Body.Contains("is now a file", StringComparison.Ordinal))).Json;
        Assert.Equal("ephemeral", told.GetProperty("response_type").GetString());
        Assert.Contains("in its thread in <#C0OPS>: <https://acme.slack.com/archives/C0CHANNEL/p1700000000000555|open the thread>", told.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_bot.Slack.Calls, c => c.Path == "/api/chat.postMessage" || c.Body.Contains(General, StringComparison.Ordinal));
        Assert.Equal((AuditAction.Logs, AuditOutcome.Allowed, "starter"), Summary(await AuditEntryAsync(e => e.UserId == "U0STARTER")));
    }

    [Fact]
    public async Task Whole_log_asked_for_from_another_channel_before_the_job_has_a_thread_is_shared_nowhere()
    {
        PutOpsJob();
        var responseUrl = _bot.Slack.NewResponseUrl();

        await EphemeralTextAsync(await _bot.SlashCommandAsync("job logs j-opsjob01 --file", user: "U0STARTER", channel: General, responseUrl: responseUrl));

        var told = (await _bot.Slack.WaitForAsync(new Uri(responseUrl).AbsolutePath)).Json;
        Assert.StartsWith(":hourglass: Job `j-opsjob01` has no message in its channel yet", told.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_bot.Slack.Calls, c => c.Path.StartsWith("/api/files.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Full_log_button_is_decided_and_audited_like_the_command()
    {
        PutOpsJob();
        var refusedUrl = _bot.Slack.NewResponseUrl();

        await _bot.InteractAsync(FullLogClick("U0MALLORY", General, refusedUrl));
        await _bot.InteractAsync(FullLogClick("U0MALLORY", Ops, _bot.Slack.NewResponseUrl()));

        var refused = (await _bot.Slack.WaitForAsync(new Uri(refusedUrl).AbsolutePath)).Json;
        Assert.StartsWith(":no_entry: You can't read the log of job `j-opsjob01` here", refused.GetProperty("text").GetString(), StringComparison.Ordinal);
        var complete = (await _bot.Slack.WaitForAsync("/api/files.completeUploadExternal")).Json;
        Assert.Equal((Ops, "1700000000.000100"), (complete.GetProperty("channel_id").GetString(), complete.GetProperty("thread_ts").GetString()));
        Assert.Single(_bot.Slack.Calls, c => c.Path == "/api/files.completeUploadExternal");
        Assert.Equal((AuditAction.Logs, AuditOutcome.Refused, "Full log button"), Summary(await AuditEntryAsync(e => e.ChannelId == General), e => e.CommandText));
        Assert.Equal((AuditAction.Logs, AuditOutcome.Allowed, AccessPolicy.JobChannelRule), Summary(await AuditEntryAsync(e => e.ChannelId == Ops)));
    }

    [Fact]
    public async Task Job_list_shows_a_channel_its_own_jobs_and_an_admin_also_those_of_their_environments()
    {
        PutOpsJob();
        _bot.Jobs.Put(JobIn("j-genstag1", General, "staging", "U0MALLORY") with { CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        _bot.Jobs.Put(JobIn("j-elseprd1", "C0ELSEWHERE", "production", "U0RUNNER") with { CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-2) });
        _bot.Jobs.Put(JobIn("j-elsestg1", "C0ELSEWHERE", "staging", "U0RUNNER") with { CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-3) });

        var inGeneral = await EphemeralTextAsync(await _bot.SlashCommandAsync("job list", user: "U0MALLORY", channel: General));
        var adminInGeneral = await EphemeralTextAsync(await _bot.SlashCommandAsync("job list", user: "U0ADMIN", channel: General));
        var rootInGeneral = await EphemeralTextAsync(await _bot.SlashCommandAsync("job list", user: "U0ROOT", channel: General));

        Assert.StartsWith("*Recent jobs in this channel*", inGeneral, StringComparison.Ordinal);
        Assert.Equal(["j-genstag1"], JobIdsIn(inGeneral));
        Assert.StartsWith("*Recent jobs in this channel and in `production`*", adminInGeneral, StringComparison.Ordinal);
        Assert.Equal(["j-opsjob01", "j-genstag1", "j-elseprd1"], JobIdsIn(adminInGeneral));
        Assert.Equal(["j-opsjob01", "j-genstag1", "j-elseprd1", "j-elsestg1"], JobIdsIn(rootInGeneral));
        var nothing = await EphemeralTextAsync(await _bot.SlashCommandAsync("job list", user: "U0MALLORY", channel: "C0QUIET"));
        Assert.StartsWith("No jobs in this channel yet.", nothing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_list_redacts_a_secret_value_typed_into_a_command()
    {
        PutOpsJob();
        _bot.Redaction.Use([TypedSecret]);

        var text = await EphemeralTextAsync(await _bot.SlashCommandAsync("job list", user: "U0STARTER", channel: Ops));

        Assert.Contains("`j-opsjob01`", text, StringComparison.Ordinal);
        Assert.Contains("echo key=[redacted]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TypedSecret, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_log_file_title_redacts_a_secret_value_in_the_jobs_name()
    {
        _bot.Jobs.Put(JobIn("j-opsjob01", Ops, "production", "U0STARTER") with { Name = $"rotate {TypedSecret}" });
        _bot.Logs.Write("j-opsjob01", "done");
        _bot.Redaction.Use([TypedSecret]);

        await _bot.InteractAsync(FullLogClick("U0STARTER", Ops, _bot.Slack.NewResponseUrl()));

        var title = (await _bot.Slack.WaitForAsync("/api/files.completeUploadExternal")).Json.GetProperty("files")[0].GetProperty("title").GetString();
        Assert.StartsWith("rotate [redacted] on web (production)", title, StringComparison.Ordinal);
    }

    private void PutOpsJob()
    {
        _bot.Jobs.Put(JobIn("j-opsjob01", Ops, "production", "U0STARTER"));
        _bot.Logs.Write("j-opsjob01", "started the cache purge", "done");
    }

    private static JobRecord JobIn(string id, string channel, string environment, string user) =>
        SlashCommandEndpointTests.Job(id, "web", JobState.Succeeded, DateTimeOffset.UtcNow) with
        {
            Environment = environment,
            Command = $"echo key={TypedSecret}",
            Origin = new JobOrigin(JobOrigin.Slack, FrontDoorApp.Team, channel, user, user.ToLowerInvariant()),
        };

    private static List<string> JobIdsIn(string list) =>
        list.Split('\n').Skip(1).Select(row => row.Split('`')[1]).ToList();

    private static (AuditAction, AuditOutcome, string?) Summary(AuditEntry entry, Func<AuditEntry, string?>? third = null) =>
        (entry.Action, entry.Outcome, (third ?? (e => e.Rule))(entry));

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

    private static object FullLogClick(string user, string channel, string responseUrl) => new
    {
        type = "block_actions",
        team = new { id = FrontDoorApp.Team },
        user = new { id = user, username = user.ToLowerInvariant(), team_id = FrontDoorApp.Team },
        trigger_id = FrontDoorApp.NewTriggerId(),
        response_url = responseUrl,
        channel = new { id = channel },
        container = new { type = "message", message_ts = "1700000000.000100", channel_id = channel },
        message = new { ts = "1700000000.000100", text = "job" },
        actions = new[] { new { type = "button", action_id = JobMessageActions.FullLog, block_id = "job_actions", value = "j-opsjob01", action_ts = $"1700000000.{Random.Shared.Next(100000, 999999)}" } },
    };
}
