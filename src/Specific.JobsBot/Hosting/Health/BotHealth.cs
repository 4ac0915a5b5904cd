using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Specific.Jobs;

namespace Specific.JobsBot.Hosting.Health;

/// <summary>
/// Liveness and readiness: GET /healthz is the process answering (no dependency, so a database outage never restarts
/// pods); GET /readyz checks what this role needs to do useful work. Both answer JSON that names the release, each
/// check and why.
/// </summary>
public static class BotHealth
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";

    /// <summary>The tag of checks that /healthz runs.</summary>
    public const string Live = "live";

    /// <summary>The tag of checks that /readyz runs.</summary>
    public const string Ready = "ready";

    /// <summary>How long one check may take before it counts as failed.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The checks of a role: the process (live); stopping, the job store, Temporal when flows run on Temporal, and
    /// Slack's auth.test and the Socket Mode connection for the roles that talk to Slack (ready).
    /// </summary>
    public static IServiceCollection AddBotHealthChecks(this IServiceCollection services, IConfiguration configuration, BotRole role)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<GracefulShutdown>();
        services.TryAddSingleton(provider => new ReadinessMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHostedService(provider => provider.GetRequiredService<GracefulShutdown>());

        var checks = services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("The process answers."), [Live])
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<StoreHealthCheck>("store", tags: [Ready], timeout: CheckTimeout);

        if (UsesTemporal(configuration, role))
        {
            // The bot stays in the Service when Temporal is down (it still answers Slack); a worker turns unready.
            checks.Add(new HealthCheckRegistration(
                "temporal",
                provider => ActivatorUtilities.CreateInstance<TemporalHealthCheck>(provider, role != BotRole.Worker),
                failureStatus: null, tags: [Ready], timeout: CheckTimeout));
        }

        if (role != BotRole.Worker)
        {
            // A singleton, so its cached auth.test answer outlives one probe.
            services.AddSingleton<SlackAuthHealthCheck>();
            checks.AddCheck<SlackAuthHealthCheck>("slack", tags: [Ready], timeout: CheckTimeout);
            checks.AddCheck<SocketModeHealthCheck>("socket_mode", tags: [Ready], timeout: CheckTimeout);
        }

        return services;
    }

    /// <summary>GET /healthz and GET /readyz, on the management listener when Bot:ManagementUrl is set.</summary>
    public static IEndpointRouteBuilder MapBotHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var management = endpoints.ServiceProvider.GetRequiredService<IOptions<BotOptions>>().Value.ManagementHostPattern;
        var live = endpoints.MapHealthChecks(LivePath, Options(Live, WriteJsonAsync));
        var ready = endpoints.MapHealthChecks(ReadyPath, Options(Ready, WriteReadyJsonAsync));
        if (management is not null)
        {
            live.RequireHost(management);
            ready.RequireHost(management);
        }

        return endpoints;
    }

    internal static bool UsesTemporal(IConfiguration configuration, BotRole role) =>
        role == BotRole.Worker || BotComposition.EngineOf(configuration) == JobEngineMode.Temporal;

    private static HealthCheckOptions Options(string tag, Func<HttpContext, HealthReport, Task> writer) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = writer,
        // Degraded still serves: Slack being slow is no reason to take every replica out.
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>Readiness answers also set the readiness.check gauges, so alerts see what the probes see.</summary>
    private static Task WriteReadyJsonAsync(HttpContext http, HealthReport report)
    {
        http.RequestServices.GetRequiredService<ReadinessMetrics>().Record(report);
        return WriteJsonAsync(http, report);
    }

    private static Task WriteJsonAsync(HttpContext http, HealthReport report)
    {
        var body = new HealthBody(
            report.Status.ToString(),
            BotVersion.Current,
            report.Entries
                .Select(entry => new HealthEntryBody(
                    entry.Key,
                    entry.Value.Status.ToString(),
                    entry.Value.Description ?? entry.Value.Exception?.Message,
                    Math.Round(entry.Value.Duration.TotalMilliseconds, 1)))
                .ToList(),
            report.Entries.Where(entry => entry.Value.Status == HealthStatus.Unhealthy).Select(entry => entry.Key).ToList());
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, Json), http.RequestAborted);
    }

    /// <summary>The answer of /healthz and /readyz; <c>version</c> is the release (<see cref="BotVersion"/>), so a rollout can be watched pod by pod.</summary>
    private sealed record HealthBody(string Status, string Version, IReadOnlyList<HealthEntryBody> Checks, IReadOnlyList<string> Failing);

    private sealed record HealthEntryBody(string Name, string Status, string? Description, double DurationMs);
}

/// <summary>Unready from the moment the bot begins to stop, so the load balancer sends it nothing new.</summary>
public sealed class ShutdownHealthCheck(GracefulShutdown shutdown) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(shutdown.IsStopping
            ? HealthCheckResult.Unhealthy("The bot is shutting down.")
            : HealthCheckResult.Healthy("Taking work."));
}
