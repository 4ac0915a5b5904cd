using System.Net;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.JobsBot.FrontDoor;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Commands;

/// <summary>A log store slower than Slack's 3 seconds never costs the acknowledgement: the answer follows through response_url.</summary>
public sealed class SlowLogStoreTests
{
    [Fact]
    public async Task A_slow_tail_is_acknowledged_at_once_and_answered_through_response_url()
    {
        await using var bot = await FrontDoorApp.StartAsync(logStore: logs => new SlowLogStore(logs, SlashCommandHandler.LogReadBudget + TimeSpan.FromSeconds(1)));
        bot.Jobs.Put(SlashCommandEndpointTests.Job("j-slowslow", "web", JobState.Succeeded, DateTimeOffset.UtcNow));
        bot.Logs.Write("j-slowslow", "the last line");
        var responseUrl = bot.Slack.NewResponseUrl();

        var started = System.Diagnostics.Stopwatch.StartNew();
        var response = await bot.SlashCommandAsync("job logs j-slowslow", responseUrl: responseUrl);

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"answered after {started.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("the answer follows here", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var followUp = await bot.Slack.WaitForAsync(new Uri(responseUrl).AbsolutePath);
        var json = followUp.Json;
        Assert.Equal("ephemeral", json.GetProperty("response_type").GetString());
        Assert.False(json.GetProperty("replace_original").GetBoolean());
        Assert.Contains("the last line", json.GetRawText(), StringComparison.Ordinal);
    }

    /// <summary>Takes its time over every read, as a remote store under load might.</summary>
    private sealed class SlowLogStore(ILogStore inner, TimeSpan delay) : ILogStore
    {
        public Task AppendAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken) => inner.AppendAsync(jobId, lines, cancellationToken);

        public async Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            return await inner.ReadAfterAsync(jobId, afterNumber, limit, cancellationToken);
        }

        public async Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            return await inner.TailAsync(jobId, count, cancellationToken);
        }

        public Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken) => inner.LastNumberAsync(jobId, cancellationToken);

        public IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, CancellationToken cancellationToken) => inner.ReadAllAsync(jobId, cancellationToken);

        public async Task<LogSearchResult> SearchAsync(string jobId, string text, int limit, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            return await inner.SearchAsync(jobId, text, limit, cancellationToken);
        }
    }
}
