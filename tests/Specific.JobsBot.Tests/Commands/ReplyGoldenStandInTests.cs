using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Specific.JobsBot.Tests.Threads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Commands;

/// <summary>Every golden private reply is posted to the Slack stand-in as an ephemeral, which judges Block Kit by Slack's rules on its own.</summary>
public sealed class ReplyGoldenStandInTests
{
    private static string GoldenDirectory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Golden");

    public static TheoryData<string> GoldenFiles() =>
        new(GoldenStandIn.Names(GoldenDirectory()));

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public async Task Golden_reply_is_accepted_by_the_Slack_stand_in_as_an_ephemeral(string golden)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var standIn = await GoldenStandIn.StartAsync(ct);

        var body = await GoldenStandIn.ReadAsync(GoldenDirectory(), golden, ct);
        // A slash command's reply says who sees it; chat.postEphemeral says it with the channel and the person instead.
        body.Remove("response_type");
        body["channel"] = "C0GOLDEN";
        body["user"] = "U0ALICE";

        var response = await standIn.Client.CallAsync(SlackWebClient.Methods.PostEphemeral, body, ct);

        Assert.True(response.GetProperty("ok").GetBoolean());
        Assert.Single(standIn.Slack.Ephemerals("U0ALICE"));
    }
}
