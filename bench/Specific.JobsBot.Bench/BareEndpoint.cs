using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Specific.Slack.Signatures;

namespace Specific.JobsBot.Bench;

/// <summary>The limit: Kestrel on loopback that reads the body, verifies the Slack signature and answers 200, nothing else.</summary>
public sealed class BareEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareEndpoint(WebApplication app, Uri commandsUrl)
    {
        _app = app;
        CommandsUrl = commandsUrl;
    }

    public Uri CommandsUrl { get; }

    public static async Task<BareEndpoint> StartAsync(string signingSecret, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/slack/commands", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            var check = SlackSignature.Verify(signingSecret,
                request.Headers[SlackSignature.TimestampHeader], request.Headers[SlackSignature.SignatureHeader],
                buffer.GetBuffer().AsSpan(0, (int)buffer.Length), DateTimeOffset.UtcNow);
            return check == SignatureCheck.Valid ? Results.Ok() : Results.Unauthorized();
        });
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new BareEndpoint(app, new Uri(new Uri(address), "/slack/commands"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
