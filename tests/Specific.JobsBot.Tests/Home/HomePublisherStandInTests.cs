using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Testing;
using Specific.JobsBot.Home;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.Sandbox.SlackStandIn;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Home;

/// <summary>The publisher against the Slack stand-in's views.publish: a tab published elsewhere since is not overwritten by a stale read.</summary>
public sealed class HomePublisherStandInTests
{
    private const string Token = "xoxb-home-publisher";
    private const string Ana = "U0ANA";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_view_published_by_another_replica_since_is_answered_by_reading_the_store_again()
    {
        await using var slack = await SlackStandIn.StartAsync(new SlackStandInOptions
        {
            Url = "http://127.0.0.1:0", BotToken = Token, SigningSecret = "home-secret", BotUrl = "http://127.0.0.1:9/",
            RateLimits = SlackRateLimits.Off, HomeTabEnabled = true,
        }, ct: Ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Token,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
        }).Build();
        await using var services = new ServiceCollection().AddSlackWebClient(configuration).BuildServiceProvider();
        var client = services.GetRequiredService<SlackWebClient>();
        var jobs = new InMemoryJobStore();
        var options = Options.Create(new HomeOptions { PublishInterval = TimeSpan.FromMilliseconds(100) });
        var reader = new HomeTabReader(jobs, new InMemoryThreadStore(), client, new FixedJobRedaction(), options, TimeProvider.System, NullLogger<HomeTabReader>.Instance);
        using var publisher = new HomePublisher(jobs, reader, new HomeTabRenderer(), client, options, TimeProvider.System, NullLogger<HomePublisher>.Instance);
        // Recorded before the publisher watches, so only the open and the change below ask for publishes.
        var job = await jobs.CreateAsync(new JobRequest("web", "production", "echo watched", null, new JobOrigin(JobOrigin.Slack, "T1", "C0OPS", Ana)), Ct);
        await publisher.StartAsync(Ct);

        publisher.Opened(Ana);
        await FrontDoorApp.EventuallyAsync(() => slack.HomeOf(Ana) is { Publishes: 1 }, "the first publish");
        // Another replica publishes over it, so this replica's hash is stale when the job changes.
        await client.CallAsync(SlackWebClient.Methods.ViewsPublish, new JsonObject
        {
            ["user_id"] = Ana,
            ["view"] = new JsonObject { ["type"] = "home", ["blocks"] = new JsonArray(new JsonObject { ["type"] = "divider" }) },
        }, Ct);
        await jobs.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Cancelled, DateTimeOffset.UtcNow), Ct);
        // What the store's change watch asks for too; asked here so the test does not depend on when the watch began.
        publisher.Request(Ana);

        await FrontDoorApp.EventuallyAsync(() => slack.HomeOf(Ana)?.View.GetRawText().Contains("Cancelled", StringComparison.Ordinal) == true, "the tab to show the job cancelled");
        // The publish with the stale hash was refused (it could have carried an older read), and the store was read again.
        var publishes = slack.Calls.Where(c => c.Method == SlackWebClient.Methods.ViewsPublish).Select(c => c.Error ?? "ok").ToList();
        Assert.Equal(["ok", "ok", "hash_conflict", "ok"], publishes.Take(4));
        await publisher.StopAsync(Ct);
    }
}
