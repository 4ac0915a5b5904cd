using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>Four-eyes approval in the policy: the entries validated by name, which runs need one, and who may decide.</summary>
public sealed class ApprovalPolicyTests
{
    private const string Production = "Guardrails:Environments:production";

    [Theory]
    [InlineData($"{Production}:Approval:Channel", "C0APPROVE", $"{Production}:Approval:Approvers names nobody, so no job there could ever start; list Slack member IDs under {Production}:Approval:Approvers:Users")]
    [InlineData($"{Production}:Services:payments:Approval:Approvers:Users:0", "alice", $"{Production}:Services:payments:Approval:Approvers:Users:0 is 'alice': a Slack member ID looks like U024BE7LH")]
    [InlineData($"{Production}:Approval:Approvers:Groups:0", "oncall", $"{Production}:Approval:Approvers:Groups:0 is 'oncall': a user group ID looks like S0614TZR7")]
    [InlineData($"{Production}:Approval:Approver:Users:0", "U0ALICE", $"{Production}:Approval:Approver is not a guardrails setting; the settings here are Approvers, Channel, Expiry.")]
    [InlineData($"{Production}:Approval:Approvers:Channels:0", "C0OPS", $"{Production}:Approval:Approvers:Channels is not a guardrails setting; the settings here are Users, Groups.")]
    [InlineData($"{Production}:Approval:Approvers:Users", "U0ALICE", $"{Production}:Approval:Approvers:Users is 'U0ALICE', a single value; list the ids as {Production}:Approval:Approvers:Users:0")]
    public void Invalid_approval_entry_is_refused_by_name(string key, string value, string expected)
    {
        using var host = new PolicyHost(new Dictionary<string, string?> { [key] = value });

        var refused = Assert.Throws<OptionsValidationException>(() => host.Options);

        Assert.Contains(refused.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("#approvers", "Approval:Channel is '#approvers': a channel ID looks like C024BE91L")]
    [InlineData("", null)]
    public void The_approvers_channel_must_be_a_channel_id(string channel, string? expected)
    {
        using var host = new PolicyHost(new Dictionary<string, string?>
        {
            [$"{Production}:Approval:Approvers:Users:0"] = "U0ALICE",
            [$"{Production}:Approval:Channel"] = channel,
        });

        if (expected is null)
        {
            Assert.Null(host.Services.GetRequiredService<ApprovalRules>().For("production", "web")!.Channel);
            return;
        }

        var refused = Assert.Throws<OptionsValidationException>(() => host.Options);
        Assert.Contains(refused.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("00:00:00", "Approval:Expiry is 00:00:00; use a duration between 00:00:01 and 7.00:00:00 (leave it out for 00:30:00).")]
    [InlineData("8.00:00:00", "Approval:Expiry is 8.00:00:00; use a duration between 00:00:01 and 7.00:00:00")]
    public void The_expiry_must_be_sensible(string expiry, string expected)
    {
        using var host = new PolicyHost(new Dictionary<string, string?>
        {
            [$"{Production}:Approval:Approvers:Users:0"] = "U0ALICE",
            [$"{Production}:Approval:Expiry"] = expiry,
        });

        var refused = Assert.Throws<OptionsValidationException>(() => host.Options);
        Assert.Contains(refused.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_service_approval_replaces_the_environments_and_the_expiry_defaults_to_30_minutes()
    {
        using var host = new PolicyHost(new Dictionary<string, string?>
        {
            [$"{Production}:Approval:Approvers:Groups:0"] = "S0ONCALL",
            [$"{Production}:Approval:Channel"] = "C0APPROVE",
            [$"{Production}:Services:payments:Approval:Approvers:Users:0"] = "U0ALICE",
            [$"{Production}:Services:payments:Approval:Expiry"] = "00:05:00",
        });
        var rules = host.Services.GetRequiredService<ApprovalRules>();

        var web = rules.For("production", "web")!;
        var payments = rules.For("production", "payments")!;

        Assert.Equal(($"{Production}:Approval", "C0APPROVE", TimeSpan.FromMinutes(30), "members of <!subteam^S0ONCALL>"), (web.Rule, web.Channel, web.Expiry, web.Who));
        Assert.Equal(($"{Production}:Services:payments:Approval", null, TimeSpan.FromMinutes(5), "<@U0ALICE>"), (payments.Rule, payments.Channel, payments.Expiry, payments.Who));
        Assert.Null(rules.For("staging", "web"));
    }

    [Fact]
    public async Task Only_a_listed_approver_or_group_member_other_than_the_requester_may_decide()
    {
        var groups = new StubUserGroups();
        groups.Members["S0ONCALL"] = ["U0SANDBOX", "U0CAROL"];
        using var host = new PolicyHost(new Dictionary<string, string?>
        {
            [$"{Production}:Approval:Approvers:Users:0"] = "U0ALICE",
            [$"{Production}:Approval:Approvers:Groups:0"] = "S0ONCALL",
        }, groups);
        var rules = host.Services.GetRequiredService<ApprovalRules>();
        var requirement = rules.For("production", "web")!;
        var ct = TestContext.Current.CancellationToken;

        var self = await rules.MayDecideAsync(requirement, "U0SANDBOX", "U0SANDBOX", ct);
        var listed = await rules.MayDecideAsync(requirement, "U0ALICE", "U0SANDBOX", ct);
        var member = await rules.MayDecideAsync(requirement, "U0CAROL", "U0SANDBOX", ct);
        var stranger = await rules.MayDecideAsync(requirement, "U0DAVE", "U0SANDBOX", ct);
        var listedSelf = await rules.MayDecideAsync(requirement, "U0ALICE", "U0ALICE", ct);

        Assert.Equal((false, true, true, false, false), (self.Allowed, listed.Allowed, member.Allowed, stranger.Allowed, listedSelf.Allowed));
        Assert.Contains("four-eyes approval needs a second person", self.Reason, StringComparison.Ordinal);
        Assert.Equal(($"{Production}:Approval:Approvers:Users", $"{Production}:Approval:Approvers:Groups"), (listed.Rule, member.Rule));
        Assert.Equal(
            $"only <@U0ALICE>, members of <!subteam^S0ONCALL> may approve or deny it. Leave it to them, or ask an admin to list you under `{Production}:Approval:Approvers`.",
            stranger.Reason);
    }
}

/// <summary>The sandbox's example policy: `payments` in production waits for alice or on-call, and the cluster has a `payments` Deployment.</summary>
public sealed class SandboxApprovalPolicyTests
{
    [Fact]
    public void The_sandbox_policy_is_valid_and_payments_in_production_needs_alice_or_on_call()
    {
        var sandbox = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddJsonFile(Specific.JobsBot.Tests.Shipping.RepositoryFiles.PathOf("src", "Specific.JobsBot", "appsettings.Sandbox.json"))
            .Build();
        var guardrails = sandbox.AsEnumerable()
            .Where(entry => entry.Key.StartsWith("Guardrails", StringComparison.Ordinal) && entry.Value is not null)
            .ToDictionary(entry => entry.Key, entry => entry.Value);
        using var host = new PolicyHost(guardrails);

        var payments = host.Services.GetRequiredService<ApprovalRules>().For("production", "payments");

        Assert.NotNull(host.Options);
        Assert.NotNull(payments);
        Assert.Equal("<@U0ALICE>, members of <!subteam^S0ONCALL>", payments.Who);
        Assert.Null(host.Services.GetRequiredService<ApprovalRules>().For("production", "web"));
        var cluster = Specific.JobsBot.Tests.Shipping.RepositoryFiles.Read("sandbox", "cluster.yaml");
        Assert.Matches(@"kind: Deployment\s+metadata:\s+name: payments\s+namespace: production", cluster);
    }
}
