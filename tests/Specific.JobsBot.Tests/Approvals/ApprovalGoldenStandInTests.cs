using System.Runtime.CompilerServices;
using Specific.JobsBot.Tests.Threads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Approvals;

/// <summary>Every golden approval message is posted to the Slack stand-in, which judges Block Kit by Slack's rules on its own.</summary>
public sealed class ApprovalGoldenStandInTests
{
    private static string GoldenDirectory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Golden");

    public static TheoryData<string> GoldenFiles() =>
        new(GoldenStandIn.Names(GoldenDirectory()));

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public async Task Golden_approval_message_is_accepted_by_the_Slack_stand_in(string golden)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var standIn = await GoldenStandIn.StartAsync(ct);

        var body = await GoldenStandIn.ReadAsync(GoldenDirectory(), golden, ct);
        body["channel"] = "C0GOLDEN";

        var response = await standIn.Client.CallAsync(SlackWebClient.Methods.PostMessage, body, ct);

        Assert.True(response.GetProperty("ok").GetBoolean(), response.ToString());
        Assert.Single(standIn.Slack.ChannelMessages("C0GOLDEN"));
    }
}
