using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Commands;

/// <summary>Every golden private reply is posted to the Slack stand-in as an ephemeral, which judges Block Kit by Slack's rules on its own.</summary>
public sealed class ReplyGoldenStandInTests
{
    private const string Token = "xoxb-golden-test";

    private static string GoldenDirectory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Golden");

    public static TheoryData<string> GoldenFiles() =>
        new(Directory.GetFiles(GoldenDirectory(), "*.json").Select(Path.GetFileNameWithoutExtension).Order().ToArray()!);

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public async Task Golden_reply_is_accepted_by_the_Slack_stand_in_as_an_ephemeral(string golden)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var slack = await SlackStandIn.StartAsync(new SlackStandInOptions
        {
            Url = "http://127.0.0.1:0",
            BotToken = Token,
            SigningSecret = "golden-secret",
            BotUrl = "http://127.0.0.1:9/",
            RateLimits = SlackRateLimits.Off,
        }, ct: ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Token,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
        }).Build();
        await using var services = new ServiceCollection().AddSlackWebClient(configuration).BuildServiceProvider();
        var client = services.GetRequiredService<SlackWebClient>();

        var body = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(GoldenDirectory(), golden + ".json"), ct))!.AsObject();
        // A slash command's reply says who sees it; chat.postEphemeral says it with the channel and the person instead.
        body.Remove("response_type");
        body["channel"] = "C0GOLDEN";
        body["user"] = "U0ALICE";

        var response = await client.CallAsync(SlackWebClient.Methods.PostEphemeral, body, ct);

        Assert.True(response.GetProperty("ok").GetBoolean());
        Assert.Single(slack.Ephemerals("U0ALICE"));
    }
}
