using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>Every golden message is posted to the Slack stand-in, which judges Block Kit by Slack's rules on its own.</summary>
public sealed class GoldenStandInTests
{
    private const string Token = "xoxb-golden-test";

    private static string GoldenDirectory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Golden");

    public static TheoryData<string> GoldenFiles() =>
        new(Directory.GetFiles(GoldenDirectory(), "*.json").Select(Path.GetFileNameWithoutExtension).Order().ToArray()!);

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public async Task Golden_message_is_accepted_by_the_Slack_stand_in(string golden)
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
        body["channel"] = "C0GOLDEN";

        var response = await client.CallAsync(SlackWebClient.Methods.PostMessage, body, ct);

        Assert.True(response.GetProperty("ok").GetBoolean());
        Assert.Single(slack.ChannelMessages("C0GOLDEN"));
    }
}
