using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Storage;
using Specific.JobsBot.Approvals;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Approvals;

/// <summary>
/// Four-eyes approval through the bot's real HTTP pipeline, its real SQLite approval store and its sweep, with the engine
/// and Slack faked: who may click what, the compare-and-set decisions, and a crash between "approved" and "job recorded".
/// </summary>
public sealed class ApprovalFlowTests : IAsyncLifetime
{
    private const string Requester = "U0ALICE";
    private const string Approver = "U0BOB";
    private const string OnCall = "U0CAROL";
    private const string Stranger = "U0DAVE";
    private const string Rule = "Guardrails:Environments:production:Services:web:Approval";

    // Frozen at the real time, so request signatures stay within Slack's 5 minutes; clicks after an advance are signed at the fake time.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private FrontDoorApp _bot = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Policy(bool confirm = false) => new()
    {
        ["Guardrails:Environments:production:Run:Users:0"] = "*",
        ["Guardrails:Environments:production:RequireConfirmation"] = confirm ? "true" : "false",
        [$"{Rule}:Approvers:Users:0"] = Approver,
        [$"{Rule}:Approvers:Groups:0"] = "S0ONCALL",
        [$"{Rule}:Expiry"] = "00:10:00",
    };

    public async ValueTask InitializeAsync()
    {
        _bot = await FrontDoorApp.StartAsync(clock: _clock, settings: Policy());
        _bot.Groups.Members["S0ONCALL"] = [OnCall];
    }

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task A_run_under_the_policy_posts_a_request_and_starts_nothing_and_tells_the_requester_where_it_waits()
    {
        var approvalId = await RequestAsync();

        Assert.Empty(_bot.Jobs.All);
        Assert.True(_bot.Launcher.Started.IsEmpty);
        var told = await EphemeralToAsync(Requester, "waits for approval");
        Assert.Contains($"waits for approval by <@{Approver}>, members of <!subteam^S0ONCALL>", told, StringComparison.Ordinal);
        Assert.Contains($"request `{approvalId}`, expires in 10 minutes", told, StringComparison.Ordinal);
        Assert.Contains($"Rule: `{Rule}`", told, StringComparison.Ordinal);
        var asked = await AuditAsync(e => e.Outcome == AuditOutcome.ApprovalRequested);
        Assert.Equal((AuditAction.Run, Requester, Rule), (asked.Action, asked.UserId, asked.Rule));
        Assert.Equal(ApprovalState.Waiting, (await Store.GetApprovalAsync(approvalId, Ct))!.State);
    }

    [Fact]
    public async Task The_requester_and_a_stranger_are_refused_privately_with_the_rule_and_who_can_approve_and_an_on_call_member_approves()
    {
        var approvalId = await RequestAsync();

        await ClickAsync(ApprovalActions.Approve, approvalId, Requester);
        var self = await EphemeralToAsync(Requester, "You can't approve");
        Assert.Contains("four-eyes approval needs a second person", self, StringComparison.Ordinal);
        Assert.Contains($"Rule: `{Rule} (four eyes: not the requester)`", self, StringComparison.Ordinal);
        await ClickAsync(ApprovalActions.Deny, approvalId, Stranger);
        var stranger = await EphemeralToAsync(Stranger, "You can't deny");
        Assert.Contains($"only <@{Approver}>, members of <!subteam^S0ONCALL> may approve or deny it.", stranger, StringComparison.Ordinal);
        Assert.Contains($"Rule: `{Rule}:Approvers`", stranger, StringComparison.Ordinal);
        Assert.Empty(_bot.Jobs.All);

        await ClickAsync(ApprovalActions.Approve, approvalId, OnCall);

        var job = await JobAsync();
        Assert.Equal((OnCall, "web", "production"), (job.ApprovedBy, job.Service, job.Environment));
        Assert.Equal((await Store.GetApprovalAsync(approvalId, Ct))!.JobId, job.Id);
        await FrontDoorApp.EventuallyAsync(() => _bot.Launcher.Started.Contains(job.Id), "the approved job to start");
        var update = await _bot.Slack.WaitForAsync("/api/chat.update", c => c.Body.Contains($"Approved by <@{OnCall}>", StringComparison.Ordinal));
        Assert.DoesNotContain(ApprovalActions.Approve, update.Body, StringComparison.Ordinal);
        Assert.Contains($"Approved by <@{OnCall}>", await EphemeralToAsync(Requester, "Approved by"), StringComparison.Ordinal);
        var approved = await AuditAsync(e => e.Action == AuditAction.Approve && e.Outcome == AuditOutcome.Allowed);
        Assert.Equal((OnCall, job.Id, $"{Rule}:Approvers:Groups"), (approved.UserId, approved.JobId, approved.Rule));
        Assert.Equal(2, _bot.Audit.All.Count(e => e.Action is AuditAction.Approve or AuditAction.Deny && e.Outcome == AuditOutcome.Refused));

        await ClickAsync(ApprovalActions.Deny, approvalId, Approver);
        Assert.Contains($"was already decided: :white_check_mark: *Approved by <@{OnCall}>*", await EphemeralToAsync(Approver, "already decided"), StringComparison.Ordinal);
        Assert.Single(_bot.Jobs.All);
    }

    [Fact]
    public async Task Two_approvers_clicking_at_once_start_the_job_once_and_the_other_is_told_what_happened()
    {
        var approvalId = await RequestAsync();

        await Task.WhenAll(ClickAsync(ApprovalActions.Approve, approvalId, Approver), ClickAsync(ApprovalActions.Approve, approvalId, OnCall));

        var job = await JobAsync();
        await FrontDoorApp.EventuallyAsync(
            () => EphemeralsTo(Approver).Concat(EphemeralsTo(OnCall)).Any(t => t.Contains("Too late", StringComparison.Ordinal) || t.Contains("already decided", StringComparison.Ordinal)),
            "the approver who lost to be told");
        Assert.Single(_bot.Jobs.All);
        Assert.Single(_bot.Launcher.Started, id => id == job.Id);
        Assert.Single(_bot.Audit.All, e => e.Action == AuditAction.Approve && e.Outcome == AuditOutcome.Allowed);
    }

    [Fact]
    public async Task A_crash_between_approved_and_job_recorded_loses_no_job_and_records_none_twice()
    {
        var approvalId = await RequestAsync();
        // The process dies right after the write that marks it approved and names its job.
        var decided = await Store.TryDecideApprovalAsync(approvalId, ApprovalState.Approved, Approver, _clock.GetUtcNow(), "j-crashed1", Ct);
        Assert.True(decided.Applied);
        Assert.Empty(_bot.Jobs.All);

        await Sweep.SweepAsync(TimeSpan.Zero, Ct);
        await Sweep.SweepAsync(TimeSpan.Zero, Ct);

        var job = Assert.Single(_bot.Jobs.All);
        Assert.Equal(("j-crashed1", Approver), (job.Id, job.ApprovedBy));
        Assert.Single(_bot.Launcher.Started, id => id == "j-crashed1");
        Assert.NotNull((await Store.GetApprovalAsync(approvalId, Ct))!.SettledAt);
        await _bot.Slack.WaitForAsync("/api/chat.update", c => c.Body.Contains($"Approved by <@{Approver}>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_nobody_decides_expires_and_a_late_approval_is_told_so()
    {
        var approvalId = await RequestAsync();

        _clock.Advance(TimeSpan.FromMinutes(10));
        await Sweep.SweepAsync(TimeSpan.FromMinutes(1), Ct);

        Assert.Equal(ApprovalState.Expired, (await Store.GetApprovalAsync(approvalId, Ct))!.State);
        await _bot.Slack.WaitForAsync("/api/chat.update", c => c.Body.Contains("Expired", StringComparison.Ordinal));
        Assert.Contains("nobody decided within 10 minutes", await EphemeralToAsync(Requester, "Expired"), StringComparison.Ordinal);
        await AuditAsync(e => e.Action == AuditAction.Expire);
        await ClickAsync(ApprovalActions.Approve, approvalId, Approver);
        Assert.Contains("already decided: :hourglass: *Expired*", await EphemeralToAsync(Approver, "already decided"), StringComparison.Ordinal);
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Only_the_requester_withdraws_and_the_withdrawal_and_a_denial_are_told_to_the_requester()
    {
        var withdrawn = await RequestAsync();
        await ClickAsync(ApprovalActions.Withdraw, withdrawn, Approver);
        Assert.Contains($"only <@{Requester}>, who asked for it, can withdraw it", await EphemeralToAsync(Approver, "You can't withdraw"), StringComparison.Ordinal);
        await ClickAsync(ApprovalActions.Withdraw, withdrawn, Requester);
        Assert.Contains($"Withdrawn by <@{Requester}>", await EphemeralToAsync(Requester, "Withdrawn by"), StringComparison.Ordinal);

        var denied = await RequestAsync();
        await ClickAsync(ApprovalActions.Deny, denied, Approver);
        Assert.Contains($"Denied by <@{Approver}>*. Nothing was started.", await EphemeralToAsync(Requester, "Denied by"), StringComparison.Ordinal);

        Assert.Equal(ApprovalState.Withdrawn, (await Store.GetApprovalAsync(withdrawn, Ct))!.State);
        Assert.Equal(ApprovalState.Denied, (await Store.GetApprovalAsync(denied, Ct))!.State);
        Assert.Empty(_bot.Jobs.All);
        await AuditAsync(e => e.Action == AuditAction.Deny && e.Outcome == AuditOutcome.Allowed);
        await AuditAsync(e => e.Action == AuditAction.Withdraw && e.Outcome == AuditOutcome.Refused);
    }

    [Fact]
    public async Task Confirmation_comes_first_the_form_opens_and_no_request_is_posted_until_it_is_confirmed()
    {
        await using var bot = await FrontDoorApp.StartAsync(clock: _clock, settings: Policy(confirm: true));

        await bot.SlashCommandAsync("job run web echo hi", Requester);

        await bot.Slack.WaitForAsync("/api/views.open");
        Assert.DoesNotContain(bot.Slack.Calls, c => c.Path == "/api/chat.postMessage" && c.Body.Contains("approval_actions", StringComparison.Ordinal));
        Assert.Empty(bot.Jobs.All);
    }

    [Fact]
    public async Task The_request_shows_the_command_with_the_services_secret_values_redacted_when_posted_and_when_decided()
    {
        const string password = "pg-Pa55word-9d1e";
        _bot.Redaction.Use([password], warning: "Secret `web-extra` could not be read");

        var approvalId = await RequestAsync($"psql postgres://app:{password}@db/app -c 'select 1'");
        await ClickAsync(ApprovalActions.Deny, approvalId, Approver);
        await EphemeralToAsync(Requester, "Denied by");

        var posted = _bot.Slack.Calls.Single(IsApprovalPost).Body;
        var updated = await _bot.Slack.WaitForAsync("/api/chat.update", c => c.Body.Contains("Denied by", StringComparison.Ordinal));
        foreach (var body in new[] { posted, updated.Body })
        {
            Assert.Contains("psql postgres://app:", body, StringComparison.Ordinal);
            Assert.DoesNotContain(password, body, StringComparison.Ordinal);
            Assert.Contains("Secret `web-extra` could not be read", body, StringComparison.Ordinal);
        }
        // The stored request keeps the command as typed: the job that an approval starts runs exactly it.
        Assert.Contains(password, (await Store.GetApprovalAsync(approvalId, Ct))!.Request.Command, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_request_goes_to_the_approvers_channel_the_policy_names_and_the_requester_is_told_it_is_there()
    {
        var settings = Policy();
        settings[$"{Rule}:Channel"] = "C0APPROVE";
        await using var bot = await FrontDoorApp.StartAsync(clock: _clock, settings: settings);

        await bot.SlashCommandAsync("job run web -- echo hi", Requester);

        var posted = await bot.Slack.WaitForAsync("/api/chat.postMessage", IsApprovalPost);
        Assert.Equal("C0APPROVE", posted.Json.GetProperty("channel").GetString());
        var told = await bot.Slack.WaitForAsync("/response/", c => c.Body.Contains("waits for approval", StringComparison.Ordinal));
        Assert.Contains("in <#C0APPROVE> (request `a-", told.Json.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(bot.Jobs.All);
    }

    private IApprovalStore Store => _bot.Services.GetRequiredService<IApprovalStore>();

    private ApprovalSweep Sweep => _bot.Services.GetServices<IHostedService>().OfType<ApprovalSweep>().Single();

    /// <summary>Types the run and returns the id of the approval request the bot posted for it.</summary>
    private async Task<string> RequestAsync(string command = "echo hi")
    {
        var before = _bot.Slack.Calls.Count(IsApprovalPost);
        await _bot.SlashCommandAsync($"job run web -- {command}", Requester, responseUrl: ResponseUrlOf(Requester));
        await FrontDoorApp.EventuallyAsync(() => _bot.Slack.Calls.Count(IsApprovalPost) > before, "the approval request to be posted");
        var posted = _bot.Slack.Calls.Where(IsApprovalPost).Last().Json;
        var id = posted.GetProperty("blocks").EnumerateArray()
            .Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray())
            .First().GetProperty("value").GetString()!;
        await FrontDoorApp.EventuallyAsync(() => Store.GetApprovalAsync(id, Ct).GetAwaiter().GetResult() is not null, $"approval {id} to be stored");
        return id;
    }

    private static bool IsApprovalPost(RecordedCall call) =>
        call.Path == "/api/chat.postMessage" && call.Body.Contains("approval_actions", StringComparison.Ordinal);

    private Task ClickAsync(string actionId, string approvalId, string user) => _bot.PostSignedAsync(
        "/slack/interactions",
        "payload=" + Uri.EscapeDataString(System.Text.Json.JsonSerializer.Serialize(Click(actionId, approvalId, user))),
        at: _clock.GetUtcNow());

    private object Click(string actionId, string approvalId, string user) => new
    {
        type = "block_actions",
        team = new { id = FrontDoorApp.Team },
        user = new { id = user, username = user.ToLowerInvariant(), team_id = FrontDoorApp.Team },
        trigger_id = FrontDoorApp.NewTriggerId(),
        response_url = ResponseUrlOf(user),
        channel = new { id = FrontDoorApp.Channel },
        container = new { type = "message", message_ts = "1700000000.000001", channel_id = FrontDoorApp.Channel },
        message = new { ts = "1700000000.000001", text = "approval" },
        actions = new[] { new { type = "button", action_id = actionId, block_id = ApprovalMessageRenderer.ActionsBlockId, value = approvalId, action_ts = $"{Guid.NewGuid():N}" } },
    };

    /// <summary>Whose each response_url is (its path), so an answer through it counts as told to that person.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _owners = new(StringComparer.Ordinal);

    /// <summary>A response_url for what <paramref name="user"/> types or clicks.</summary>
    private string ResponseUrlOf(string user)
    {
        var url = _bot.Slack.NewResponseUrl();
        _owners[new Uri(url).AbsolutePath] = user;
        return url;
    }

    private List<string> EphemeralsTo(string user) => _bot.Slack.Calls
        .Where(c => (c.Path == "/api/chat.postEphemeral" && c.Json.GetProperty("user").GetString() == user)
                    || (_owners.TryGetValue(c.Path, out var owner) && owner == user))
        .Select(c => c.Json.GetProperty("text").GetString()!)
        .ToList();

    private async Task<string> EphemeralToAsync(string user, string containing)
    {
        string? found = null;
        await FrontDoorApp.EventuallyAsync(
            () => (found = EphemeralsTo(user).LastOrDefault(t => t.Contains(containing, StringComparison.Ordinal))) is not null,
            $"{user} to be told privately something with '{containing}'; told: {string.Join(" | ", EphemeralsTo(user))}");
        return found!;
    }

    private async Task<Specific.Jobs.Domain.JobRecord> JobAsync()
    {
        await FrontDoorApp.EventuallyAsync(() => _bot.Jobs.All.Count > 0, "the approved job to be recorded");
        return Assert.Single(_bot.Jobs.All);
    }

    private async Task<AuditEntry> AuditAsync(Func<AuditEntry, bool> match)
    {
        await FrontDoorApp.EventuallyAsync(() => _bot.Audit.All.Any(match), "the audit entry");
        return _bot.Audit.All.Last(match);
    }
}
