using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Specific.Jobs.Flow;
using Specific.Jobs.Observability;
using Specific.JobsBot.Hosting.Health;
using Specific.JobsBot.Observability;
using Specific.JobsBot.Threads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Hosting;

/// <summary>
/// Metrics, traces and logs for every role: OpenTelemetry with ASP.NET Core, HttpClient, Npgsql and runtime
/// instrumentation plus our own meters; Prometheus at /metrics; OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set;
/// console logs as JSON with scopes (the sandbox keeps the readable simple format).
/// </summary>
public static class BotTelemetry
{
    public const string DefaultServiceName = "specific-jobs-bot";

    /// <summary>The standard variable that turns the OTLP exporter on (traces, metrics and logs).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Our own meters, each beside the code it measures, and the Temporal SDK's (where flows run on Temporal).</summary>
    public static readonly IReadOnlyList<string> MeterNames =
        [JobMetrics.MeterName, SlackMetrics.MeterName, ThreadKeeperMetrics.MeterName, FrontDoorMetrics.MeterName, ReadinessMetrics.MeterName,
            TemporalMetricMeter.MeterName];

    public static WebApplicationBuilder AddBotTelemetry(this WebApplicationBuilder builder, BotRole role)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        builder.Services.AddOptions<ObservabilityOptions>()
            .BindConfiguration(ObservabilityOptions.Section)
            .Validate(o => o.MetricsPath.StartsWith('/'), "Observability__MetricsPath must start with '/', for example '/metrics'.")
            .ValidateOnStart();
        var options = configuration.GetSection(ObservabilityOptions.Section).Get<ObservabilityOptions>() ?? new ObservabilityOptions();
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);

        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(provider => new FrontDoorMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME, when set, names the service instead.
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService(DefaultServiceName, serviceInstanceId: Environment.MachineName);
                }
                resource.AddAttributes([new("specific.jobs.role", role.ToString().ToLowerInvariant())]);
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([.. MeterNames])
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (options.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });

        // Spans go nowhere without an OTLP endpoint, so no tracer is set up (and no request pays for one).
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(JobTracing.SourceName)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = http => !IsManagementPath(http.Request.Path, options))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
            telemetry.UseOtlpExporter();
        }

        builder.AddBotLogging(role);
        return builder;
    }

    /// <summary>GET /metrics (Observability:MetricsPath) when Prometheus is on, on the management listener when there is one.</summary>
    public static IEndpointRouteBuilder MapBotMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<ObservabilityOptions>>().Value;
        if (!options.Prometheus)
        {
            return endpoints;
        }

        var scrape = endpoints.MapPrometheusScrapingEndpoint(options.MetricsPath);
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<BotOptions>>().Value.ManagementHostPattern is { } management)
        {
            scrape.RequireHost(management);
        }

        return endpoints;
    }

    /// <summary>
    /// Console logs: JSON (one object a line, scopes such as JobId included, UTC timestamps) unless
    /// Logging:Console:FormatterName says otherwise; the sandbox defaults to the simple format people read.
    /// </summary>
    public static WebApplicationBuilder AddBotLogging(this WebApplicationBuilder builder, BotRole role)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var formatter = role == BotRole.Sandbox ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json;
        builder.Services.PostConfigure<ConsoleLoggerOptions>(console => console.FormatterName ??= formatter);
        builder.Services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        return builder;
    }

    private static bool IsManagementPath(PathString path, ObservabilityOptions options) =>
        path.StartsWithSegments(BotHealth.LivePath) || path.StartsWithSegments(BotHealth.ReadyPath) || path.StartsWithSegments(options.MetricsPath);
}
