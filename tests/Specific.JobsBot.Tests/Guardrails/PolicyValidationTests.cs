using Microsoft.Extensions.Options;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>An invalid policy stops start-up with a message that names the entry.</summary>
[Collection(Specific.JobsBot.Tests.Hosting.ConsoleCollection.Name)]
public sealed class PolicyValidationTests
{
    private const string Production = "Guardrails:Environments:production";

    [Theory]
    [InlineData($"{Production}:Run:Users:0", "@alice", $"{Production}:Run:Users:0 is '@alice': a Slack member ID looks like U024BE7LH")]
    [InlineData($"{Production}:Run:Groups:0", "oncall", $"{Production}:Run:Groups:0 is 'oncall': a user group ID looks like S0614TZR7")]
    [InlineData($"{Production}:Run:Channels:0", "#ops", $"{Production}:Run:Channels:0 is '#ops': a channel ID looks like C024BE91L")]
    [InlineData($"{Production}:Admins:Users:0", "*", $"{Production}:Admins:Users:0 is '*'")]
    [InlineData($"{Production}:Run:User:0", "U0ALICE", $"{Production}:Run:User is not a guardrails setting; the settings here are Users, Groups, Channels.")]
    [InlineData($"{Production}:Admins:Channels:0", "C0OPS", $"{Production}:Admins:Channels is not a guardrails setting; the settings here are Users, Groups.")]
    [InlineData($"{Production}:Servces:web:ExclusiveRun", "true", $"{Production}:Servces is not a guardrails setting")]
    [InlineData($"{Production}:Services:web:Exclusive", "true", $"{Production}:Services:web:Exclusive is not a guardrails setting; the settings here are Run, RequireConfirmation, ExclusiveRun, Approval, SavedTasksOnly.")]
    [InlineData($"{Production}:Services:Web_1:ExclusiveRun", "true", $"{Production}:Services:Web_1: 'Web_1' is not a service name")]
    [InlineData("Guardrails:Environments:prod:Run:Users:0", "U0ALICE", "Guardrails:Environments:prod names an environment that is not configured; Environments:Targets has production, qa, staging.")]
    [InlineData($"{Production}:Run:Users", "U0ALICE", $"{Production}:Run:Users is 'U0ALICE', a single value; list the ids as {Production}:Run:Users:0")]
    [InlineData("Guardrails:GroupCacheDuration", "00:00:00", "Guardrails:GroupCacheDuration is 00:00:00")]
    public void Invalid_entry_is_refused_by_name(string key, string value, string expected)
    {
        using var host = new PolicyHost(new Dictionary<string, string?> { [key] = value });

        var refused = Assert.Throws<OptionsValidationException>(() => host.Options);

        Assert.Contains(refused.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_valid_policy_with_every_setting_is_accepted()
    {
        using var host = new PolicyHost(new Dictionary<string, string?>
        {
            ["Guardrails:Admins:Users:0"] = "U0PLATFORM",
            ["Guardrails:Admins:Groups:0"] = "S0PLATFORM",
            ["Guardrails:GroupCacheDuration"] = "00:02:00",
            [$"{Production}:Run:Users:0"] = "W0ENTERPRISE",
            [$"{Production}:Run:Groups:0"] = "S0ONCALL",
            [$"{Production}:Run:Channels:0"] = "C0OPS",
            [$"{Production}:Run:Channels:1"] = "G0PRIVATE",
            [$"{Production}:Admins:Users:0"] = "U0ADMIN",
            [$"{Production}:RequireConfirmation"] = "true",
            [$"{Production}:Services:web-api:Run:Users:0"] = "*",
            [$"{Production}:Services:web-api:RequireConfirmation"] = "false",
            [$"{Production}:Services:web-api:ExclusiveRun"] = "true",
        });

        var options = host.Options;

        Assert.True(options.Environments["production"].Services["web-api"].ExclusiveRun);
        Assert.Equal(TimeSpan.FromMinutes(2), options.GroupCacheDuration);
    }

    [Fact]
    public async Task Bot_with_an_invalid_policy_does_not_start_and_says_which_entry()
    {
        var message = await Specific.JobsBot.Tests.Hosting.StartupFailure.MessageOfAsync(
            () => FrontDoorApp.StartAsync(settings: new Dictionary<string, string?> { [$"{Production}:Run:Channels:0"] = "ops" }));

        Assert.Contains($"Invalid guardrails policy: {Production}:Run:Channels:0 is 'ops'", message, StringComparison.Ordinal);
    }
}
