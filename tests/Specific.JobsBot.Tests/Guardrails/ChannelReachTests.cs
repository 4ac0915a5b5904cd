using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Specific.JobsBot.Guardrails;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>Whether the bot can post where a run is typed, asked with the real Slack client of the Slack stand-in over loopback.</summary>
public sealed class ChannelReachTests : IAsyncDisposable
{
    private const string Token = "xoxb-reach-test";
    private const string Vault = "C0VAULT";
    private SlackStandIn? _slack;
    private ServiceProvider? _services;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
        if (_slack is not null)
            await _slack.DisposeAsync();
    }

    private async Task<(SlackStandIn Slack, ChannelReach Reach)> StartAsync(Action<SlackStandInOptions>? configure = null)
    {
        var options = new SlackStandInOptions
        {
            Url = "http://127.0.0.1:0", BotToken = Token, SigningSecret = "reach-secret", BotUrl = "http://127.0.0.1:9/", RateLimits = SlackRateLimits.Off,
        };
        configure?.Invoke(options);
        _slack = await SlackStandIn.StartAsync(options, ct: Ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Token,
            ["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString(),
        }).Build();
        _services = new ServiceCollection().AddSlackWebClient(configuration).AddOptions().BuildServiceProvider();
        // The first call of a test process pays for JIT and a new connection; the budget is not what most tests judge.
        var reach = new ChannelReach(_services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, NullLogger<ChannelReach>.Instance)
        {
            Budget = TimeSpan.FromSeconds(20),
        };
        return (_slack, reach);
    }

    private int Calls(string method, string channel) => _slack!.Calls.Count(call => call.Method == method && call.Channel == channel);

    [Fact]
    public async Task A_private_channel_without_the_bot_is_unreachable_with_the_invite_to_type()
    {
        var (_, reach) = await StartAsync();

        var answer = await reach.CheckAsync(Vault, Ct);

        Assert.Equal(Reach.Unreachable, answer.Reach);
        Assert.Contains("nothing was started", answer.Problem, StringComparison.Ordinal);
        Assert.Contains("Type `/invite @specific` here and run the command again", answer.Problem, StringComparison.Ordinal);
        Assert.StartsWith(":lock: ", answer.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_invited_the_same_channel_is_reachable_and_the_refusal_was_not_remembered()
    {
        var (slack, reach) = await StartAsync();
        Assert.Equal(Reach.Unreachable, (await reach.CheckAsync(Vault, Ct)).Reach);

        slack.InviteBot(Vault);

        Assert.Equal(Reach.Reachable, (await reach.CheckAsync(Vault, Ct)).Reach);
    }

    [Fact]
    public async Task A_public_channel_without_the_bot_is_joined_and_then_reachable()
    {
        var (slack, reach) = await StartAsync();
        var lobby = slack.CreateChannel("lobby", isPrivate: false, botMember: false);

        var answer = await reach.CheckAsync(lobby.Id, Ct);

        Assert.Equal(Reach.Reachable, answer.Reach);
        Assert.True(slack.Channel(lobby.Id).BotMember);
        Assert.Equal(1, Calls("conversations.join", lobby.Id));
    }

    [Fact]
    public async Task A_public_channel_the_bot_may_not_join_is_unreachable_and_says_why()
    {
        var (slack, reach) = await StartAsync(o => o.BotScopes.Remove(SlackStandInOptions.ChannelsJoinScope));
        var lobby = slack.CreateChannel("lobby", isPrivate: false, botMember: false);

        var answer = await reach.CheckAsync(lobby.Id, Ct);

        Assert.Equal(Reach.Unreachable, answer.Reach);
        Assert.Contains("could not join it (missing_scope)", answer.Problem, StringComparison.Ordinal);
        Assert.Contains("`/invite @specific`", answer.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bots_own_direct_message_is_reachable()
    {
        var (_, reach) = await StartAsync();

        Assert.Equal(Reach.Reachable, (await reach.CheckAsync("D0SANDBOX", Ct)).Reach);
    }

    [Fact]
    public async Task A_known_channel_is_not_asked_again_until_a_post_there_was_refused()
    {
        var (_, reach) = await StartAsync();

        await reach.CheckAsync("C0SANDBOX", Ct);
        await reach.CheckAsync("C0SANDBOX", Ct);
        Assert.Equal(1, Calls("conversations.info", "C0SANDBOX"));

        reach.Forget("C0SANDBOX");
        await reach.CheckAsync("C0SANDBOX", Ct);
        Assert.Equal(2, Calls("conversations.info", "C0SANDBOX"));
    }

    [Fact]
    public async Task When_slack_cannot_be_asked_the_run_proceeds()
    {
        var (slack, reach) = await StartAsync();
        slack.Faults.RateLimitNext(1, "conversations.info");
        var limited = await reach.CheckAsync(Vault, Ct);

        slack.Faults.SlowNext(1, TimeSpan.FromSeconds(5), "conversations.info");
        var slow = await new ChannelReach(_services!.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, NullLogger<ChannelReach>.Instance)
        {
            Budget = TimeSpan.FromMilliseconds(300),
        }.CheckAsync(Vault, Ct);

        Assert.Equal((Reach.Unknown, Reach.Unknown), (limited.Reach, slow.Reach));
    }
}
