using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text;
using System.Text.Json;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Interactions;
using Specific.Slack;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Hosting;

/// <summary>The front door's composition: its services, and the endpoints Slack posts to.</summary>
public static class SlackFrontDoor
{
    public const string CommandsPath = "/slack/commands";
    public const string InteractionsPath = "/slack/interactions";
    public const string HealthPath = "/healthz";

    /// <summary>
    /// The slash command and interaction handlers, the signature check and the after-answer queue. Needs from
    /// elsewhere: IJobStore, ILogStore, IRequestLedger (storage), IJobLauncher (engine), IServiceCatalog (Kubernetes)
    /// and SlackWebClient with its bound SlackOptions (AddSlackWebClient).
    /// </summary>
    public static IServiceCollection AddSlackFrontDoor(this IServiceCollection services)
    {
        services.AddOptions<SlackOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.SigningSecret), "Slack:SigningSecret is required: the front door trusts no request it cannot verify.")
            .ValidateOnStart();
        services.AddOptions<Specific.Jobs.Domain.EnvironmentsOptions>().BindConfiguration(Specific.Jobs.Domain.EnvironmentsOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SlackRequestVerifier>();
        services.AddSingleton<FrontDoorQueue>();
        services.AddSingleton<OncePerRequest>();
        services.AddHostedService<FrontDoorWorker>();
        services.AddScoped<RunJobValidator>();
        services.AddScoped<JobCanceller>();
        services.AddScoped<SlashCommandHandler>();
        services.AddScoped<InteractionHandler>();
        services.AddScoped<JobStarter>();
        services.AddScoped<JobModalOpener>();
        services.AddScoped<FullLogUploader>();
        return services;
    }

    /// <summary>POST /slack/commands, POST /slack/interactions and GET /healthz.</summary>
    public static IEndpointRouteBuilder MapSlackEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(CommandsPath, HandleCommandAsync).DisableAntiforgery();
        endpoints.MapPost(InteractionsPath, HandleInteractionAsync).DisableAntiforgery();
        return endpoints.MapHealth();
    }

    /// <summary>GET /healthz: the process is up and serving.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(HealthPath, () => Results.Text("ok"));
        return endpoints;
    }

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

        try
        {
            var reply = await handler.HandleAsync(slash, cancellationToken);
            return reply is null ? Results.Ok() : Json(SlackJson.Serialize(reply));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Slack shows a 500 as a bare failure; the person deserves to know whether anything happened.
            FrontDoorLog.RequestFailed(logs.CreateLogger(typeof(SlackFrontDoor)), ex, CommandsPath);
            return Json(SlackJson.Serialize(SlackMessage.Ephemeral(
                $":x: Something went wrong on our side ({ex.GetType().Name}); nothing was started. Try again in a moment.")));
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

        try
        {
            var answer = await handler.HandleAsync(payload, cancellationToken);
            return answer.Response is null ? Results.Ok() : Json(SlackJson.Serialize(answer.Response));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            FrontDoorLog.RequestFailed(logs.CreateLogger(typeof(SlackFrontDoor)), ex, InteractionsPath);
            return payload is ViewSubmissionPayload
                ? Json(SlackJson.Serialize(ViewSubmissionResponse.WithErrors(new Dictionary<string, string>
                {
                    [JobModal.CommandBlock] = "Something went wrong on our side; nothing was started. Try again in a moment.",
                })))
                : Results.Ok();
        }
    }

    private static IResult Json(string json) => Results.Text(json, "application/json", Encoding.UTF8);
}

/// <summary>The front door's log lines.</summary>
internal static partial class FrontDoorLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a Slack request to {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string path);
}
