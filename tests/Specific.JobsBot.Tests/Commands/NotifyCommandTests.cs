using System.Net;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Commands;

/// <summary><c>/specific notify</c> against a store slower than Slack's 3 seconds: acknowledged at once, answered through response_url.</summary>
public sealed class NotifyCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Notify_off_with_a_slow_store_is_acknowledged_at_once_then_saved_and_answered_through_response_url()
    {
        await using var bot = await FrontDoorApp.StartAsync();
        var store = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bot.Notices.Gate = store.Task;
        var responseUrl = bot.Slack.NewResponseUrl();

        var started = System.Diagnostics.Stopwatch.StartNew();
        var response = await bot.SlashCommandAsync("notify off", responseUrl: responseUrl);

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"answered after {started.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("your notification setting follows here", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        store.SetResult();
        var followUp = await bot.Slack.WaitForAsync(new Uri(responseUrl).AbsolutePath);
        Assert.Equal("ephemeral", followUp.Json.GetProperty("response_type").GetString());
        Assert.Contains(":no_bell: Done", followUp.Json.GetRawText(), StringComparison.Ordinal);
        Assert.False(await bot.Notices.GetDmOnJobEndAsync("U0ALICE", Ct));
    }
}
