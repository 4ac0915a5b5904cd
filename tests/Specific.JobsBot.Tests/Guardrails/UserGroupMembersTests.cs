using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Specific.JobsBot.Guardrails;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>User group members read with the real Slack client from the Slack stand-in over loopback, and cached.</summary>
public sealed class UserGroupMembersTests : IAsyncLifetime
{
    private const string Token = "xoxb-groups-test";
    private SlackStandIn _slack = null!;
    private ServiceProvider _services = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var options = new SlackStandInOptions
        {
            Url = "http://127.0.0.1:0", BotToken = Token, SigningSecret = "groups-secret", BotUrl = "http://127.0.0.1:9/", RateLimits = SlackRateLimits.Off,
        };
        options.UserGroups["S0ONCALL"] = ["U0ALICE", "U0BOB"];
        _slack = await SlackStandIn.StartAsync(options, ct: Ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Token,
            ["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString(),
        }).Build();
        _services = new ServiceCollection().AddSlackWebClient(configuration).AddOptions().BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private SlackUserGroupMembers Members() => new(
        _services.GetRequiredService<IServiceScopeFactory>(),
        _services.GetRequiredService<IOptionsMonitor<GuardrailsOptions>>(),
        TimeProvider.System,
        NullLogger<SlackUserGroupMembers>.Instance)
    {
        // The first call of a test process pays for JIT and a new connection; the budget is not what is tested here.
        LookupBudget = TimeSpan.FromSeconds(20),
    };

    [Fact]
    public async Task Members_come_from_usergroups_users_list_and_are_cached()
    {
        var members = Members();

        var first = await members.MembersOfAsync("S0ONCALL", Ct);
        var second = await members.MembersOfAsync("S0ONCALL", Ct);

        Assert.Equal(["U0ALICE", "U0BOB"], first.Order());
        Assert.Same(first, second);
        Assert.Single(_slack.Calls, c => c.Method == SlackWebClient.Methods.UserGroupsUsersList);
    }

    [Fact]
    public async Task Unknown_group_fails_with_Slacks_error_and_is_not_cached_as_empty()
    {
        var members = Members();

        var failed = await Assert.ThrowsAsync<UserGroupLookupException>(() => members.MembersOfAsync("S0NOBODY", Ct));
        await Assert.ThrowsAsync<UserGroupLookupException>(() => members.MembersOfAsync("S0NOBODY", Ct));

        Assert.Contains("no_such_subteam", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(2, _slack.Calls.Count(c => c.Method == SlackWebClient.Methods.UserGroupsUsersList));
    }
}
