using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Commands;

/// <summary>Slack's published example request, sent byte for byte to the endpoint with the clock at its timestamp.</summary>
public sealed class PublishedSignatureVectorTests
{
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private const string Body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    private static async Task<HttpStatusCode> PostVectorAsync(FrontDoorApp bot, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/slack/commands") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", Timestamp);
        request.Headers.Add("X-Slack-Signature", Signature);
        return (await bot.Client.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode;
    }

    [Fact]
    public async Task The_published_request_is_accepted_at_its_own_time()
    {
        await using var bot = await FrontDoorApp.StartAsync(Secret, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1531420618 + 60)));

        Assert.Equal(HttpStatusCode.OK, await PostVectorAsync(bot, Body));
    }

    [Fact]
    public async Task The_published_request_is_refused_six_minutes_later()
    {
        await using var bot = await FrontDoorApp.StartAsync(Secret, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1531420618 + 360)));

        Assert.Equal(HttpStatusCode.Unauthorized, await PostVectorAsync(bot, Body));
    }

    [Fact]
    public async Task The_published_request_with_one_byte_changed_is_refused()
    {
        await using var bot = await FrontDoorApp.StartAsync(Secret, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1531420618)));

        Assert.Equal(HttpStatusCode.Unauthorized, await PostVectorAsync(bot, Body.Replace("text=&", "text=x&", StringComparison.Ordinal)));
    }
}
