using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Specific.JobsBot.Tests.Threads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Runs;

/// <summary>Every golden modal view is sent to the Slack stand-in, which judges it by Slack's rules for views on its own.</summary>
public sealed class RunModalGoldenStandInTests
{
    private static string GoldenDirectory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Golden");

    /// <summary>The goldens that hold a view: a views.open view, or a view_submission answer that carries one.</summary>
    public static TheoryData<string> GoldenViews() =>
        new(Directory.GetFiles(GoldenDirectory(), "*.json")
            .Where(path => ViewOf(JsonNode.Parse(File.ReadAllText(path))!.AsObject()) is not null)
            .Select(Path.GetFileNameWithoutExtension).Order().ToArray()!);

    [Theory]
    [MemberData(nameof(GoldenViews))]
    public async Task Golden_view_passes_the_Slack_stand_ins_checks_for_views(string golden)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var standIn = await GoldenStandIn.StartAsync(ct);
        var view = ViewOf(await GoldenStandIn.ReadAsync(GoldenDirectory(), golden, ct))!;

        // Only a person's click yields a trigger_id, so the view updates one that does not exist: the stand-in checks the
        // view first and answers not_found only for a view it accepts.
        var body = new JsonObject { ["view_id"] = "V0NOSUCHVIEW", ["view"] = view.DeepClone() };
        var refused = await Assert.ThrowsAsync<SlackApiException>(() => standIn.Client.CallAsync(SlackWebClient.Methods.ViewsUpdate, body, ct));

        Assert.Equal("not_found", refused.Error);
    }

    private static JsonNode? ViewOf(JsonObject golden) =>
        golden["response_action"] is null ? golden : golden["view"];
}
