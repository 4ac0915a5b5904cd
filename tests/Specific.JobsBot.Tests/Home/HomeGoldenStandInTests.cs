using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Specific.JobsBot.Tests.Threads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Home;

/// <summary>Every golden Home view is sent to the Slack stand-in, which judges it by Slack's rules for Home tabs on its own.</summary>
public sealed class HomeGoldenStandInTests
{
    private static string GoldenDirectory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Golden");

    public static TheoryData<string> GoldenViews() => new(GoldenStandIn.Names(GoldenDirectory()));

    [Theory]
    [MemberData(nameof(GoldenViews))]
    public async Task Golden_Home_view_passes_the_Slack_stand_ins_checks_for_views_publish(string golden)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var standIn = await GoldenStandIn.StartAsync(ct);
        var view = await GoldenStandIn.ReadAsync(GoldenDirectory(), golden, ct);

        // This stand-in's app has no Home tab: it checks the view first and answers not_enabled only for a view it accepts.
        var body = new JsonObject { ["user_id"] = "U0ANA", ["view"] = view.DeepClone() };
        var refused = await Assert.ThrowsAsync<SlackApiException>(() => standIn.Client.CallAsync(SlackWebClient.Methods.ViewsPublish, body, ct));

        Assert.Equal("not_enabled", refused.Error);
    }
}
