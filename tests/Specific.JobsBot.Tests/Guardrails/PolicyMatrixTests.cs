using Specific.Jobs.Domain;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>The policy matrix: user, group, channel, environment, service and action → allowed or refused, and by which rule.</summary>
public sealed class PolicyMatrixTests : IDisposable
{
    private const string Production = "Guardrails:Environments:production";

    private static readonly Dictionary<string, string?> Matrix = new()
    {
        ["Guardrails:Admins:Users:0"] = "U0PLATFORM",
        [$"{Production}:Run:Users:0"] = "U0ALICE",
        [$"{Production}:Run:Groups:0"] = "S0ONCALL",
        [$"{Production}:Run:Channels:0"] = "C0OPS",
        [$"{Production}:Admins:Users:0"] = "U0ADMIN",
        [$"{Production}:Admins:Groups:0"] = "S0LEADS",
        [$"{Production}:Services:billing:Run:Users:0"] = "U0BOB",
        [$"{Production}:Services:reports:ExclusiveRun"] = "true",
        [$"{Production}:Services:reports:RequireConfirmation"] = "false",
        ["Guardrails:Environments:staging:Run:Channels:0"] = "C0OPS",
        ["Guardrails:Environments:staging:Run:Channels:1"] = "C0DEV",
        ["Guardrails:Environments:staging:Admins:Users:0"] = "U0ADMIN",
        ["Guardrails:Environments:staging:Services:web:RequireConfirmation"] = "true",
    };

    private readonly PolicyHost _host;

    public PolicyMatrixTests()
    {
        var groups = new StubUserGroups();
        groups.Members["S0ONCALL"] = ["U0CAROL"];
        groups.Members["S0LEADS"] = ["U0LEAD"];
        _host = new PolicyHost(Matrix, groups);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("production", "web", "U0ALICE", "C0OPS", true, $"{Production}:Run:Users")]
    [InlineData("production", "web", "U0CAROL", "C0OPS", true, $"{Production}:Run:Groups")]
    [InlineData("production", "web", "U0ALICE", "C0RANDOM", false, $"{Production}:Run:Channels")]
    [InlineData("production", "web", "U0CAROL", "C0RANDOM", false, $"{Production}:Run:Channels")]
    [InlineData("production", "web", "U0MALLORY", "C0OPS", false, $"{Production}:Run:Users and :Groups")]
    [InlineData("production", "web", "U0ADMIN", "C0RANDOM", true, $"{Production}:Admins:Users")]
    [InlineData("production", "web", "U0LEAD", "C0RANDOM", true, $"{Production}:Admins:Groups")]
    [InlineData("production", "web", "U0PLATFORM", "C0RANDOM", true, "Guardrails:Admins:Users")]
    [InlineData("production", "billing", "U0ALICE", "C0OPS", false, $"{Production}:Services:billing:Run:Users")]
    [InlineData("production", "billing", "U0BOB", "C0RANDOM", true, $"{Production}:Services:billing:Run:Users")]
    [InlineData("staging", "web", "U0MALLORY", "C0DEV", true, "Guardrails:Environments:staging:Run:Channels")]
    [InlineData("staging", "web", "U0MALLORY", "C0RANDOM", false, "Guardrails:Environments:staging:Run:Channels")]
    [InlineData("qa", "web", "U0MALLORY", "C0RANDOM", true, "Guardrails:Environments:qa")]
    public async Task Run_is_decided_by_person_group_channel_environment_and_service(
        string environment, string service, string user, string channel, bool allowed, string rule)
    {
        var decision = await _host.Policy.DecideRunAsync(environment, service, new Actor(user, channel, "T0TEAM"), Ct);

        Assert.Equal((allowed, rule), (decision.Allowed, decision.Access.Rule));
    }

    [Theory]
    [InlineData("production", "U0ALICE", true, "starter")]
    [InlineData("production", "U0ADMIN", true, $"{Production}:Admins:Users")]
    [InlineData("production", "U0LEAD", true, $"{Production}:Admins:Groups")]
    [InlineData("production", "U0PLATFORM", true, "Guardrails:Admins:Users")]
    [InlineData("production", "U0CAROL", false, $"{Production}:Admins")]
    [InlineData("staging", "U0MALLORY", false, "Guardrails:Environments:staging:Admins")]
    [InlineData("qa", "U0MALLORY", false, "Guardrails:Environments:qa:Admins")]
    [InlineData("qa", "U0PLATFORM", true, "Guardrails:Admins:Users")]
    public async Task Cancel_is_for_the_starter_and_the_environments_admins(string environment, string user, bool allowed, string rule)
    {
        var job = Job(environment, startedBy: "U0ALICE");

        var decision = await _host.Policy.DecideCancelAsync(job, new Actor(user, "C0OPS", "T0TEAM"), Ct);

        Assert.Equal((allowed, rule), (decision.Allowed, decision.Rule));
    }

    [Theory]
    [InlineData("production", "U0ADMIN", true)]
    [InlineData("production", "U0LEAD", true)]
    [InlineData("production", "U0ALICE", false)]
    [InlineData("staging", "U0ADMIN", true)]
    [InlineData("qa", "U0PLATFORM", true)]
    [InlineData("qa", "U0ALICE", false)]
    public async Task Audit_trail_is_for_the_environments_admins_only(string environment, string user, bool allowed)
    {
        var decision = await _host.Policy.DecideAuditAsync(environment, new Actor(user, "C0OPS", "T0TEAM"), Ct);

        Assert.Equal(allowed, decision.Allowed);
    }

    [Theory]
    [InlineData("production", "web", $"{Production}:RequireConfirmation (on by default in production)")]
    [InlineData("production", "reports", null)]
    [InlineData("staging", "web", "Guardrails:Environments:staging:Services:web:RequireConfirmation")]
    [InlineData("staging", "api", null)]
    [InlineData("qa", "web", null)]
    public async Task Confirmation_is_on_in_production_by_default_and_a_service_may_change_it(string environment, string service, string? rule)
    {
        var decision = await _host.Policy.DecideRunAsync(environment, service, new Actor("U0ADMIN", "C0OPS", "T0TEAM"), Ct);

        Assert.Equal(rule, decision.ConfirmationRule);
    }

    [Fact]
    public async Task Exclusive_run_is_per_service()
    {
        var reports = await _host.Policy.DecideRunAsync("production", "reports", new Actor("U0ADMIN", "C0OPS", "T0TEAM"), Ct);
        var web = await _host.Policy.DecideRunAsync("production", "web", new Actor("U0ADMIN", "C0OPS", "T0TEAM"), Ct);

        Assert.Equal($"{Production}:Services:reports:ExclusiveRun", reports.RunAloneRule);
        Assert.Null(web.RunAloneRule);
    }

    [Fact]
    public async Task Production_without_a_policy_is_closed_to_everyone_and_other_environments_are_open()
    {
        using var host = new PolicyHost(new Dictionary<string, string?> { ["Guardrails:Environments:staging:Run:Users:0"] = "*" });

        var production = await host.Policy.DecideRunAsync("production", "web", new Actor("U0ALICE", "C0OPS", "T0TEAM"), Ct);
        var qa = await host.Policy.DecideRunAsync("qa", "web", new Actor("U0ALICE", "C0OPS", "T0TEAM"), Ct);

        Assert.False(production.Allowed);
        Assert.Equal("Guardrails:Environments:production", production.Access.Rule);
        Assert.Contains("closed until a policy opens it", production.Access.Reason, StringComparison.Ordinal);
        Assert.True(qa.Allowed);
        Assert.Null(qa.ConfirmationRule);
    }

    [Fact]
    public async Task Policy_without_run_lets_only_its_admins_run()
    {
        using var host = new PolicyHost(new Dictionary<string, string?> { [$"{Production}:Admins:Users:0"] = "U0ADMIN" });

        var alice = await host.Policy.DecideRunAsync("production", "web", new Actor("U0ALICE", "C0OPS", "T0TEAM"), Ct);
        var admin = await host.Policy.DecideRunAsync("production", "web", new Actor("U0ADMIN", "C0OPS", "T0TEAM"), Ct);

        Assert.Equal((false, $"{Production}:Run"), (alice.Allowed, alice.Access.Rule));
        Assert.True(admin.Allowed);
    }

    [Fact]
    public async Task Refusal_names_the_rule_and_the_admins_as_Slack_mentions()
    {
        var decision = await _host.Policy.DecideRunAsync("production", "web", new Actor("U0MALLORY", "C0OPS", "T0TEAM"), Ct);

        var text = decision.Access.RefusalText("run jobs on `web` in `production`");

        Assert.StartsWith(":no_entry: You can't run jobs on `web` in `production`: only <@U0ALICE>, members of <!subteam^S0ONCALL> may run", text, StringComparison.Ordinal);
        Assert.Contains($"Rule: `{Production}:Run:Users and :Groups`.", text, StringComparison.Ordinal);
        Assert.EndsWith("Ask an admin of `production` for access: <@U0ADMIN>, <@U0PLATFORM>, <!subteam^S0LEADS>.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_that_cannot_be_read_refuses_and_says_why()
    {
        using var host = new PolicyHost(new Dictionary<string, string?>
        {
            [$"{Production}:Run:Groups:0"] = "S0MISSING",
        });

        var decision = await host.Policy.DecideRunAsync("production", "web", new Actor("U0CAROL", "C0OPS", "T0TEAM"), Ct);

        Assert.False(decision.Allowed);
        Assert.Contains("Couldn't check whether you are in <!subteam^S0MISSING>: no_such_subteam", decision.Access.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listed_user_and_a_refused_channel_need_no_group_lookup()
    {
        await _host.Policy.DecideRunAsync("production", "web", new Actor("U0ALICE", "C0OPS", "T0TEAM"), Ct);
        await _host.Policy.DecideRunAsync("production", "web", new Actor("U0CAROL", "C0RANDOM", "T0TEAM"), Ct);

        // Each decision first asks whether the person is an admin through S0LEADS; no run-group lookup follows.
        Assert.Equal(2, _host.Groups.Lookups);
    }

    private static JobRecord Job(string environment, string startedBy) => new()
    {
        Id = "j-abcdefgh",
        Service = "web",
        Environment = environment,
        Command = "echo hi",
        Origin = new JobOrigin(JobOrigin.Slack, "T0TEAM", "C0OPS", startedBy),
        State = JobState.Running,
        Version = 3,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    public void Dispose() => _host.Dispose();
}
