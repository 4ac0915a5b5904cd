using System.Collections.Concurrent;
using System.Text.Json;
using Specific.JobsBot.Observability;
using Specific.JobsBot.Work;
using Specific.Slack.SocketMode;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.FrontDoor;

/// <summary>
/// The front door for Socket Mode: each envelope goes to the handlers the HTTP endpoints use, in its own DI scope, and
/// what the endpoint would have answered becomes the acknowledgement's payload. Work after the answer goes to the same
/// <see cref="FrontDoorQueue"/>, so the acknowledgement leaves within Slack's 3 seconds.
/// </summary>
public sealed partial class SocketModeFrontDoor(
    IServiceScopeFactory scopes, TimeProvider clock, FrontDoorMetrics metrics, ILogger<SocketModeFrontDoor> logger)
    : ISocketModeHandler
{
    /// <summary>How long an envelope's answer is kept for Slack's retries (its last comes about 5 minutes after the first).</summary>
    public static readonly TimeSpan AnswerLifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Answer> _answers = new(StringComparer.Ordinal);
    private long _nextPruneTicks;

    private sealed record Answer(Task<string?> Json, DateTimeOffset At);

    /// <summary>
    /// A retry of an envelope this replica already answered gets the same answer without running the handler again;
    /// on any replica the handlers' request keys (IRequestLedger) keep a retry from having a second effect.
    /// </summary>
    public Task<string?> HandleAsync(SocketModeEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var now = clock.GetUtcNow();
        Prune(now);
        if (envelope.EnvelopeId is not { } id)
        {
            return Task.FromResult<string?>(null);
        }

        var answer = _answers.GetOrAdd(id, _ => new Answer(AnswerAsync(envelope, cancellationToken), now));
        if (envelope.RetryAttempt > 0)
        {
            LogRetry(envelope.Type, id, envelope.RetryAttempt, envelope.RetryReason);
        }

        return answer.Json;
    }

    private async Task<string?> AnswerAsync(SocketModeEnvelope envelope, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var started = clock.GetTimestamp();
        try
        {
            return await AnswerInScopeAsync(envelope, cancellationToken);
        }
        finally
        {
            // The same histogram as the HTTP endpoints: from the envelope's arrival to the answer that goes into its ack.
            var kind = envelope.Type switch
            {
                SocketModeProtocol.SlashCommands => FrontDoorMetrics.Kinds.Command,
                SocketModeProtocol.Interactive => FrontDoorMetrics.Kinds.Interaction,
                SocketModeProtocol.EventsApi => FrontDoorMetrics.Kinds.Event,
                _ => null,
            };
            if (kind is not null)
            {
                metrics.Acknowledged(kind, StatusCodes.Status200OK, clock.GetElapsedTime(started));
            }
        }
    }

    private async Task<string?> AnswerInScopeAsync(SocketModeEnvelope envelope, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var source = "Socket Mode " + envelope.Type;
        try
        {
            return envelope.Type switch
            {
                SocketModeProtocol.SlashCommands => await SlackFrontDoor.AnswerCommandAsync(
                    envelope.ReadSlashCommand(), services.GetRequiredService<SlashCommandHandler>(), logger, source, cancellationToken),
                SocketModeProtocol.Interactive => await SlackFrontDoor.AnswerInteractionAsync(
                    envelope.ReadInteraction(), services.GetRequiredService<InteractionHandler>(), logger, source, cancellationToken),
                SocketModeProtocol.EventsApi => services.GetRequiredService<SlackEventHandler>().Handle(envelope.ReadEvent()),
                // Nothing else carries work; acknowledging stops Slack from retrying it.
                _ => null,
            };
        }
        catch (Exception exception) when (exception is FormatException or JsonException or InvalidDataException)
        {
            // As the HTTP endpoint answers 400: nothing to do with a payload that cannot be read.
            LogUnreadable(exception, envelope.Type, envelope.EnvelopeId ?? "");
            return null;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        var next = Interlocked.Read(ref _nextPruneTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextPruneTicks, now.UtcTicks + TimeSpan.TicksPerMinute, next) != next)
        {
            return;
        }

        foreach (var (id, answer) in _answers)
        {
            if (now - answer.At > AnswerLifetime)
            {
                _answers.TryRemove(id, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack retried the {Type} envelope {EnvelopeId} (attempt {Attempt}, {Reason}); it has one effect")]
    private partial void LogRetry(string type, string envelopeId, int attempt, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the {Type} envelope {EnvelopeId}; acknowledged it empty")]
    private partial void LogUnreadable(Exception exception, string type, string envelopeId);
}

/// <summary>Runs the Socket Mode connection for the life of the host, when Slack:AppToken is set.</summary>
public sealed class SocketModeReceiver(SocketModeClient client, SocketModeFrontDoor frontDoor) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => client.RunAsync(frontDoor, stoppingToken);
}

/// <summary>Socket Mode's composition: on when Slack:AppToken is set; HTTP stays the default.</summary>
public static class SocketModeComposition
{
    /// <summary>The configuration key of the app-level token (environment: Slack__AppToken).</summary>
    public const string AppTokenKey = $"{SlackOptions.Section}:{nameof(SlackOptions.AppToken)}";

    /// <summary>True when the configuration asks for Socket Mode.</summary>
    public static bool IsOn(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration?[AppTokenKey]);

    /// <summary>
    /// Always: <see cref="SocketModeStatus"/> (AddSlackWebClient checks Slack__AppToken). With Slack:AppToken set: the client, the
    /// Socket Mode front door and the hosted service that keeps the connection. Registered after the front door, so on
    /// shutdown it stops first and acknowledges what it holds while the queue still runs.
    /// </summary>
    public static IServiceCollection AddSlackSocketMode(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSlackSocketModeClient();
        if (IsOn(configuration))
        {
            services.AddSingleton<SocketModeFrontDoor>();
            services.AddHostedService<SocketModeReceiver>();
        }

        return services;
    }
}
