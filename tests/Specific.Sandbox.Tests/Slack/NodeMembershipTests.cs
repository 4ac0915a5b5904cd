using System.Text.Json.Nodes;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>Slack's official Node client (@slack/web-api) meets the stand-in's channel membership.</summary>
public sealed class NodeMembershipTests
{
    [Fact]
    public async Task Official_node_client_sees_slacks_membership_errors_joins_a_public_channel_and_posts_into_a_dm()
    {
        if (!await NodeWebApiClientTests.CanRunAsync("node", "--version"))
            Assert.Skip("node is not installed on this machine");
        await NodeWebApiClientTests.EnsurePackagesAsync();
        await using var host = await StandInHost.StartAsync();
        var lobby = host.Slack.CreateChannel("lobby", isPrivate: false, botMember: false);

        var (exit, stdout) = await NodeWebApiClientTests.RunAsync(
            "node", ["membership.mjs", host.Slack.ApiBaseUrl.ToString(), StandInHost.Token, lobby.Id], TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, stdout);
        var result = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!;
        foreach (var call in new[] { "post", "info", "join" })
        {
            Assert.Equal("slack_webapi_platform_error", result["vault"]![call]!["code"]!.GetValue<string>());
            Assert.Equal("channel_not_found", result["vault"]![call]!["error"]!.GetValue<string>());
        }

        var seen = result["lobby"]!;
        Assert.False(seen["isMemberBefore"]!.GetValue<bool>());
        Assert.False(seen["isPrivate"]!.GetValue<bool>());
        Assert.Equal("not_in_channel", seen["postBefore"]!["error"]!.GetValue<string>());
        Assert.True(seen["joined"]!["isMember"]!.GetValue<bool>());
        Assert.Equal("already_in_channel", seen["again"]!["warning"]!.GetValue<string>());
        Assert.Equal(lobby.Id, seen["postAfter"]!["channel"]!.GetValue<string>());
        Assert.True(seen["isMemberAfter"]!.GetValue<bool>());
        Assert.Equal("hello lobby", Assert.Single(host.Slack.ChannelMessages(lobby.Id)).Text);

        Assert.Equal("D0ALICE", result["dm"]!["channel"]!.GetValue<string>());
        Assert.True(result["dm"]!["isIm"]!.GetValue<bool>());
    }
}
