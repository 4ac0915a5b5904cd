using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Specific.JobsBot.Observability;
using Specific.JobsBot.Work;

namespace Specific.JobsBot.Tests.Hosting;

public sealed class FrontDoorQueueTests
{
    [Fact]
    public void Work_refused_by_a_full_queue_is_counted_and_logged_and_nothing_is_counted_once_it_is_closed()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var metrics = new FrontDoorMetrics(factory);
        var log = new ListLogger();
        var queue = new FrontDoorQueue(metrics, log);
        long refused = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == "slack.front_door.refused")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref refused, value));
        listener.Start();

        for (var i = 0; i < FrontDoorQueue.Capacity; i++)
            Assert.True(queue.TryEnqueue($"filler {i}", (_, _) => Task.CompletedTask));
        var accepted = queue.TryEnqueue("cancel job j-7k2m9x4q", (_, _) => Task.CompletedTask);
        queue.Close();
        var afterClose = queue.TryEnqueue("cancel job j-later", (_, _) => Task.CompletedTask);

        Assert.False(accepted);
        Assert.False(afterClose);
        Assert.Equal(1, Interlocked.Read(ref refused));
        var warning = Assert.Single(log.Messages);
        Assert.Equal($"The front door's queue is full ({FrontDoorQueue.Capacity} waiting): refused to cancel job j-7k2m9x4q", warning);
    }

    private sealed class ListLogger : ILogger<FrontDoorQueue>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                Messages.Add(formatter(state, exception));
        }
    }
}
