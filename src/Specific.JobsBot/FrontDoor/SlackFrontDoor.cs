using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Specific.Jobs.Domain;
using Specific.JobsBot.Approvals;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Interactions;
using Specific.JobsBot.Observability;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Work;
using Specific.Slack;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.FrontDoor;

/// <summary>The front door's composition: its services, and the endpoints Slack posts to.</summary>
public static class SlackFrontDoor
{
    public const string CommandsPath = "/slack/commands";
    public const string InteractionsPath = "/slack/interactions";

    /// <summary>The Events API request URL (app_home_opened).</summary>
    public const string EventsPath = "/slack/events";

    /// <summary>What a stopping bot tells Slack: try again in a moment (by then the load balancer routes elsewhere).</summary>
    public const int StoppingRetryAfterSeconds = 5;

    /// <summary>
    /// The slash command and interaction handlers, the signature check and the after-answer queue, with the Slack and
    /// Environments settings they read. Needs from elsewhere: IJobStore, ILogStore, IRequestLedger (storage),
    /// IJobLauncher (engine), IServiceCatalog (Kubernetes) and SlackWebClient (AddSlackWebClient).
    /// </summary>
    public static IServiceCollection AddSlackFrontDoor(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSlackOptions(configuration)
            // Socket Mode needs no signing secret: Slack's envelopes arrive on a connection the bot opened with its app token.
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.SigningSecret) || !string.IsNullOrWhiteSpace(o.AppToken),
                "Slack__SigningSecret is not set: set it to the Signing Secret on the Slack app's Basic Information page (the front door trusts no request it cannot verify), or set Slack__AppToken for Socket Mode.")
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(provider => new FrontDoorMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddEnvironments(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SlackRequestVerifier>();
        services.AddSingleton<FrontDoorQueue>();
        services.AddSingleton<OncePerRequest>();
        services.AddHostedService<FrontDoorWorker>();
        services.AddScoped<RunJobValidator>();
        services.AddScoped<JobCanceller>();
        services.AddScoped<SlashCommandHandler>();
        services.AddScoped<InteractionHandler>();
        services.AddScoped<SlackEventHandler>();
        services.AddScoped<RunGate>();
        services.AddScoped<JobStarter>();
        services.AddScoped<JobModalOpener>();
        services.AddScoped<FullLogUploader>();
        services.AddScoped<FullLogButton>();
        services.AddScoped<JobLister>();
        services.AddScoped<JobLogReader>();
        services.AddScoped<NotifySettings>();
        services.AddScoped<TaskLister>();
        services.AddGuardrails();
        services.AddApprovals();
        return services;
    }

    /// <summary>POST /slack/commands, /slack/interactions and /slack/events, timed, and refused with 503 once the bot stops taking work.</summary>
    public static IEndpointRouteBuilder MapSlackEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(CommandsPath, HandleCommandAsync).DisableAntiforgery()
            .AddEndpointFilter(AcknowledgeFilter(FrontDoorMetrics.Kinds.Command));
        endpoints.MapPost(InteractionsPath, HandleInteractionAsync).DisableAntiforgery()
            .AddEndpointFilter(AcknowledgeFilter(FrontDoorMetrics.Kinds.Interaction));
        endpoints.MapPost(EventsPath, HandleEventAsync).DisableAntiforgery()
            .AddEndpointFilter(AcknowledgeFilter(FrontDoorMetrics.Kinds.Event));
        return endpoints;
    }

    /// <summary>Refuses work once the queue is closed, and records how long each answer took.</summary>
    private static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> AcknowledgeFilter(string kind) =>
        async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            var http = context.HttpContext;
            object? result;
            if (http.RequestServices.GetRequiredService<FrontDoorQueue>().IsClosed)
            {
                http.Response.Headers.RetryAfter = StoppingRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                result = Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }
            else
            {
                result = await next(context);
            }

            var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
            http.RequestServices.GetRequiredService<FrontDoorMetrics>().Acknowledged(kind, status, Stopwatch.GetElapsedTime(started));
            return result;
        };

    private static async Task<IResult> HandleCommandAsync(
        HttpContext http, SlackRequestVerifier verifier, SlashCommandHandler handler, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var (body, failure) = await verifier.ReadAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return Results.StatusCode(failure);
        }

        var fields = SlackForm.Parse(Encoding.UTF8.GetString(body));
        if (fields.ContainsKey("ssl_check"))
        {
            // Slack checks the certificate now and then with a signed form that carries no command.
            return Results.Ok();
        }

        SlashCommand slash;
        try
        {
            slash = SlashCommand.FromForm(fields);
        }
        catch (FormatException)
        {
            return Results.BadRequest();
        }

        var answer = await AnswerCommandAsync(slash, handler, logs.CreateLogger(typeof(SlackFrontDoor)), CommandsPath, cancellationToken);
        return answer is null ? Results.Ok() : Json(answer);
    }

    /// <summary>
    /// A slash command's answer as Slack-shaped JSON (null for an empty one), the same over HTTP and Socket Mode; a
    /// failure becomes a message that says nothing was started.
    /// </summary>
    internal static async Task<string?> AnswerCommandAsync(
        SlashCommand slash, SlashCommandHandler handler, ILogger logger, string source, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await handler.HandleAsync(slash, cancellationToken);
            return reply is null ? null : SlackJson.Serialize(reply);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Slack shows a 500 as a bare failure; the person deserves to know whether anything happened.
            FrontDoorLog.RequestFailed(logger, ex, source);
            return SlackJson.Serialize(SlackMessage.Ephemeral(
                $":x: Something went wrong on our side ({ex.GetType().Name}); nothing was started. Try again in a moment."));
        }
    }

    /// <summary>
    /// An interaction's answer as Slack-shaped JSON (null for an empty one), the same over HTTP and Socket Mode: a
    /// view_submission's response_action, or nothing; a failed submission keeps the modal open and says why.
    /// </summary>
    internal static async Task<string?> AnswerInteractionAsync(
        InteractionPayload payload, InteractionHandler handler, ILogger logger, string source, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await handler.HandleAsync(payload, cancellationToken);
            return answer.Response is null ? null : SlackJson.Serialize(answer.Response);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            FrontDoorLog.RequestFailed(logger, ex, source);
            return payload is ViewSubmissionPayload
                ? SlackJson.Serialize(ViewSubmissionResponse.WithErrors(new Dictionary<string, string>
                {
                    [JobModal.CommandBlock] = "Something went wrong on our side; nothing was started. Try again in a moment.",
                }))
                : null;
        }
    }

    private static async Task<IResult> HandleInteractionAsync(
        HttpContext http, SlackRequestVerifier verifier, InteractionHandler handler, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var (body, failure) = await verifier.ReadAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return Results.StatusCode(failure);
        }

        InteractionPayload payload;
        try
        {
            payload = InteractionPayload.FromBody(Encoding.UTF8.GetString(body));
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidDataException)
        {
            return Results.BadRequest();
        }

        var answer = await AnswerInteractionAsync(payload, handler, logs.CreateLogger(typeof(SlackFrontDoor)), InteractionsPath, cancellationToken);
        return answer is null ? Results.Ok() : Json(answer);
    }

    private static async Task<IResult> HandleEventAsync(
        HttpContext http, SlackRequestVerifier verifier, SlackEventHandler handler, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var (body, failure) = await verifier.ReadAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return Results.StatusCode(failure);
        }

        EventsApiPayload payload;
        try
        {
            payload = EventsApiPayload.Parse(Encoding.UTF8.GetString(body));
        }
        catch (JsonException)
        {
            return Results.BadRequest();
        }

        if (http.Request.Headers[RetryNumHeader] is [{ } retry, ..])
        {
            FrontDoorLog.EventRetried(logs.CreateLogger(typeof(SlackFrontDoor)), retry, http.Request.Headers[RetryReasonHeader].ToString());
        }

        var answer = handler.Handle(payload);
        return answer is null ? Results.Ok() : Json(answer);
    }

    /// <summary>Slack's retry headers on the Events API: which attempt this is, and why the last one failed.</summary>
    public const string RetryNumHeader = "X-Slack-Retry-Num";

    public const string RetryReasonHeader = "X-Slack-Retry-Reason";

    private static IResult Json(string json) => Results.Text(json, "application/json", Encoding.UTF8);
}

/// <summary>The front door's log lines.</summary>
internal static partial class FrontDoorLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a Slack request to {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack retried an event (attempt {Attempt}, {Reason}); it only asks for the same Home tab publish again")]
    public static partial void EventRetried(ILogger logger, string attempt, string reason);
}
