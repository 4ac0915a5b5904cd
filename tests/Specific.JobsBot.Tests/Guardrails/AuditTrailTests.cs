using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;
using Specific.JobsBot.Guardrails;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>Each attempt becomes a structured log event with named properties at once, and an entry in the store just after.</summary>
public sealed class AuditTrailTests
{
    [Fact]
    public async Task Attempt_is_logged_with_named_properties_and_then_stored()
    {
        var log = new CapturingLogger<AuditTrail>();
        var trail = new AuditTrail(TimeProvider.System, log);
        var store = new InMemoryAuditLog();
        using var writer = new AuditWriter(trail, store, NullLogger<AuditWriter>.Instance);
        await writer.StartAsync(TestContext.Current.CancellationToken);

        trail.Record(new GuardedAttempt
        {
            Action = AuditAction.Cancel, Outcome = AuditOutcome.Refused, Environment = "production", Service = "web",
            Actor = new Actor("U0BOB", "C0OPS", "T0TEAM"), CommandText = "/specific job cancel j-abcdefgh",
            Rule = "Guardrails:Environments:production:Admins", Detail = "only the starter and the admins", JobId = "j-abcdefgh",
        });

        var properties = Assert.Single(log.Events).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("cancel", properties["Action"]);
        Assert.Equal("refused", properties["Outcome"]);
        Assert.Equal(("production", "web", "j-abcdefgh"), (properties["Environment"], properties["Service"], properties["JobId"]));
        Assert.Equal(("T0TEAM", "U0BOB", "C0OPS"), (properties["TeamId"], properties["UserId"], properties["ChannelId"]));
        Assert.Equal("Guardrails:Environments:production:Admins", properties["Rule"]);
        Assert.Equal("/specific job cancel j-abcdefgh", properties["CommandText"]);
        await Commands.Host.FrontDoorApp.EventuallyAsync(() => store.All.Count == 1, "the stored entry");
        var stored = store.All[0];
        Assert.Equal((AuditAction.Cancel, AuditOutcome.Refused, "U0BOB", "j-abcdefgh"), (stored.Action, stored.Outcome, stored.UserId, stored.JobId));
        await writer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Entry_recorded_while_the_store_fails_is_retried()
    {
        var trail = new AuditTrail(TimeProvider.System, NullLogger<AuditTrail>.Instance);
        var store = new InMemoryAuditLog { FailWith = new InvalidOperationException("database restarting") };
        using var writer = new AuditWriter(trail, store, NullLogger<AuditWriter>.Instance);
        await writer.StartAsync(TestContext.Current.CancellationToken);

        trail.Record(new GuardedAttempt
        {
            Action = AuditAction.Run, Outcome = AuditOutcome.Allowed, Environment = "staging", Service = "web",
            Actor = new Actor("U0ALICE", "C0OPS", "T0TEAM"), CommandText = "echo hi",
        });
        await Commands.Host.FrontDoorApp.EventuallyAsync(() => store.Refused >= 1, "a first write refused by the failing store");
        store.FailWith = null;

        await Commands.Host.FrontDoorApp.EventuallyAsync(() => store.All.Count == 1, "the entry after the store recovered");
        await writer.StopAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Keeps the structured state of every log event.</summary>
    private sealed class CapturingLogger<T> : ILogger<T>
    {
        public List<IReadOnlyList<KeyValuePair<string, object?>>> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
            {
                Events.Add(properties);
            }
        }
    }
}
