using System.Text.Json.Nodes;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>Slack's official Node client (@slack/web-api) publishes Home tabs on the stand-in and sees Slack's errors.</summary>
public sealed class NodeHomeTests
{
    [Fact]
    public async Task Official_node_client_publishes_a_Home_tab_and_sees_slacks_refusals()
    {
        if (!await NodeWebApiClientTests.CanRunAsync("node", "--version"))
            Assert.Skip("node is not installed on this machine");
        await NodeWebApiClientTests.EnsurePackagesAsync();
        await using var host = await StandInHost.StartAsync(o => o.HomeTabEnabled = true);

        var (exit, stdout) = await NodeWebApiClientTests.RunAsync(
            "node", ["home.mjs", host.Slack.ApiBaseUrl.ToString(), StandInHost.Token, "U0ALICE"], TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, stdout);
        var result = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!;
        Assert.True(result["first"]!["ok"]!.GetValue<bool>());
        Assert.Equal("home", result["first"]!["type"]!.GetValue<string>());
        Assert.Equal(result["first"]!["id"]!.GetValue<string>(), result["second"]!["id"]!.GetValue<string>());
        Assert.Equal(2, result["second"]!["blocks"]!.GetValue<int>());
        Assert.Equal("hash_conflict", result["stale"]!["error"]!.GetValue<string>());
        foreach (var refused in new[] { "modal", "tooMany", "noUser" })
        {
            Assert.Equal("slack_webapi_platform_error", result[refused]!["code"]!.GetValue<string>());
            Assert.Equal("invalid_arguments", result[refused]!["error"]!.GetValue<string>());
        }

        Assert.Equal("not_found", result["notAPerson"]!["error"]!.GetValue<string>());
        var shown = host.Slack.HomeOf("U0ALICE")!;
        Assert.Equal((2, result["second"]!["hash"]!.GetValue<string>()), (shown.Publishes, shown.Hash));
    }
}
