using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>
/// A Slack stand-in with its limits off and the bot's real Web API client pointed at it, for the tests that send each
/// golden file to Slack's own judge; plus reading the golden files of a folder.
/// </summary>
public sealed class GoldenStandIn : IAsyncDisposable
{
    private const string Token = "xoxb-golden-test";

    private readonly ServiceProvider _services;

    private GoldenStandIn(SlackStandIn slack, ServiceProvider services)
    {
        Slack = slack;
        _services = services;
        Client = services.GetRequiredService<SlackWebClient>();
    }

    public SlackStandIn Slack { get; }

    public SlackWebClient Client { get; }

    public static async Task<GoldenStandIn> StartAsync(CancellationToken ct)
    {
        var slack = await SlackStandIn.StartAsync(new SlackStandInOptions
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
        return new GoldenStandIn(slack, new ServiceCollection().AddSlackWebClient(configuration).BuildServiceProvider());
    }

    /// <summary>The names (without .json) of the golden files in <paramref name="directory"/>, in order.</summary>
    public static string[] Names(string directory) =>
        Directory.GetFiles(directory, "*.json").Select(path => Path.GetFileNameWithoutExtension(path)).Order().ToArray();

    /// <summary>The golden file <paramref name="name"/> of <paramref name="directory"/> as JSON.</summary>
    public static async Task<JsonObject> ReadAsync(string directory, string name, CancellationToken ct) =>
        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, name + ".json"), ct))!.AsObject();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Slack.DisposeAsync();
    }
}
