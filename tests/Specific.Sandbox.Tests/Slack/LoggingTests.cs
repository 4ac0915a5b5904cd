using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Specific.Sandbox.SlackStandIn;
using StandIn = Specific.Sandbox.SlackStandIn.SlackStandIn;

namespace Specific.Sandbox.Tests.Slack;

public sealed class LoggingTests
{
    [Fact]
    public async Task Stand_in_logs_through_the_callers_factory_without_per_request_noise()
    {
        var lines = new ConcurrentQueue<string>();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new CollectingProvider(lines)).SetMinimumLevel(LogLevel.Information));

        await using (var slack = await StandIn.StartAsync(new SlackStandInOptions { Url = "http://127.0.0.1:0", BotToken = "xoxb-t" }, factory, TestContext.Current.CancellationToken))
        {
            using var http = new HttpClient();
            using var _ = await http.PostAsync(new Uri(slack.ApiBaseUrl, "auth.test"), null, TestContext.Current.CancellationToken);
        }

        Assert.Contains(lines, l => l.Contains("Slack stand-in listening on", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Request starting", StringComparison.Ordinal));
    }

    private sealed class CollectingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collector(lines);

        public void Dispose()
        {
        }

        private sealed class Collector(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
