using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Specific.Sandbox.SlackStandIn;
using StandIn = Specific.Sandbox.SlackStandIn.SlackStandIn;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>A Slack stand-in on a free loopback port, plus a raw HTTP client that calls its Web API as a Slack client would.</summary>
public sealed class StandInHost : IAsyncDisposable
{
    public const string Token = "xoxb-sandbox-test-token";
    public const string Secret = "sandbox-test-signing-secret";

    private StandInHost(StandIn slack, HttpClient http)
    {
        Slack = slack;
        Http = http;
    }

    public StandIn Slack { get; }

    public HttpClient Http { get; }

    public static async Task<StandInHost> StartAsync(Action<SlackStandInOptions>? configure = null, string botUrl = "http://127.0.0.1:9/")
    {
        var options = new SlackStandInOptions
        {
            Url = "http://127.0.0.1:0",
            BotToken = Token,
            SigningSecret = Secret,
            BotUrl = botUrl,
            RateLimits = SlackRateLimits.Off,
        };
        configure?.Invoke(options);
        var slack = await StandIn.StartAsync(options, ct: TestContext.Current.CancellationToken);
        return new StandInHost(slack, new HttpClient { BaseAddress = slack.ApiBaseUrl });
    }

    /// <summary>POSTs a JSON body with the bot token, as the bot's own client does.</summary>
    public async Task<ApiResponse> CallAsync(string method, object? body = null, string? token = Token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = new StringContent(body is JsonNode node ? node.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body ?? new { }), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await SendAsync(request);
    }

    /// <summary>POSTs a form body, as @slack/web-api and curl users do.</summary>
    public async Task<ApiResponse> CallFormAsync(string method, IReadOnlyDictionary<string, string> fields, string? bearer = Token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, method) { Content = new FormUrlEncodedContent(fields) };
        if (bearer is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await SendAsync(request);
    }

    private async Task<ApiResponse> SendAsync(HttpRequestMessage request)
    {
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        return new ApiResponse((int)response.StatusCode, JsonNode.Parse(text)!.AsObject(), retryAfter, response.Content.Headers.ContentType?.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Slack.DisposeAsync();
    }
}

/// <summary>A Web API answer as a client sees it.</summary>
public sealed record ApiResponse(int Status, JsonObject Body, TimeSpan? RetryAfter, string? ContentType)
{
    public bool Ok => Body["ok"]?.GetValue<bool>() == true;

    public string? Error => Body["error"]?.GetValue<string>();

    public IReadOnlyList<string> Messages =>
        (Body["response_metadata"]?["messages"] as JsonArray)?.Select(m => m!.GetValue<string>()).ToList() ?? [];

    public string S(string name) => Body[name]!.GetValue<string>();
}
