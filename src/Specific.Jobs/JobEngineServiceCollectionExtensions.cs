using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using System.Diagnostics.Metrics;
using Temporalio.Extensions.Hosting;
using Temporalio.Runtime;

namespace Specific.Jobs;

/// <summary>How the job engine runs flows: Temporal in production, in this process on the embedded default.</summary>
public enum JobEngineMode
{
    InProcess,
    Temporal,
}

/// <summary>Registers the job engine's flow: the launcher the front door uses, and the Temporal worker role.</summary>
public static class JobEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IJobLauncher"/>: the <see cref="InProcessJobRunner"/> (also a hosted service that
    /// re-attaches to unfinished jobs), or the <see cref="TemporalJobLauncher"/> with a lazy Temporal client bound
    /// from the "Temporal" section (address, namespace, task queue, TLS or API key) and the <see cref="RecordedCancelDelivery"/> sweep. Storage and Kubernetes are registered by
    /// <c>AddJobStorage</c> and <c>AddKubernetesJobs</c>.
    /// </summary>
    public static IServiceCollection AddJobEngine(
        this IServiceCollection services, IConfiguration configuration, JobEngineMode mode)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddEnvironments(configuration);

        switch (mode)
        {
            case JobEngineMode.InProcess:
                services.TryAddScoped<JobActivities>();
                services.TryAddSingleton<InProcessJobRunner>();
                services.TryAddSingleton<IJobLauncher>(provider => provider.GetRequiredService<InProcessJobRunner>());
                services.AddHostedService(provider => provider.GetRequiredService<InProcessJobRunner>());
                break;
            case JobEngineMode.Temporal:
                services.AddJobTemporalClient(configuration);
                services.TryAddSingleton<TemporalJobLauncher>();
                services.TryAddSingleton<IJobLauncher>(provider => provider.GetRequiredService<TemporalJobLauncher>());
                services.AddHostedService<RecordedCancelDelivery>();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, null);
        }

        return services;
    }

    /// <summary>
    /// Registers the worker role: a hosted Temporal worker on <see cref="JobTemporal.TaskQueue"/> that runs
    /// <see cref="RunJobWorkflow"/> and scoped <see cref="JobActivities"/>, with the client from the "Temporal" section.
    /// </summary>
    public static IServiceCollection AddJobWorker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddEnvironments(configuration);
        services.AddJobTemporalClient(configuration);
        services.AddHostedTemporalWorker(JobTemporal.TaskQueue)
            .AddScopedActivities<JobActivities>()
            .AddWorkflow<RunJobWorkflow>()
            .ConfigureOptions()
            .Configure<IOptions<TemporalOptions>>((worker, temporal) =>
            {
                worker.TaskQueue = temporal.Value.TaskQueue;
                worker.MaxHeartbeatThrottleInterval = JobTemporal.MaxHeartbeatThrottleInterval;
            });
        return services;
    }

    private static void AddJobTemporalClient(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(service => service.ServiceType == typeof(TemporalRuntime)))
        {
            // One process can be both the bot and the worker (the sandbox): one client serves both.
            return;
        }

        services.AddOptions<TemporalOptions>().Bind(configuration.GetSection(TemporalOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TemporalOptions>, TemporalOptionsValidator>());
        services.TryAddSingleton(provider => new TemporalMetricMeter(provider.GetService<IMeterFactory>()));
        // One runtime per process: it owns the SDK core's threads and reports the core's metrics through our meter.
        services.TryAddSingleton(provider => new TemporalRuntime(new TemporalRuntimeOptions
        {
            Telemetry = new TelemetryOptions
            {
                Metrics = new MetricsOptions
                {
                    CustomMetricMeter = provider.GetRequiredService<TemporalMetricMeter>(),
                    CustomMetricMeterOptions = TemporalMetricMeter.Options,
                },
            },
        }));
        services.AddTemporalClient()
            .Configure<IOptions<TemporalOptions>, TemporalRuntime>((client, temporal, runtime) =>
            {
                TemporalConnectSettings.Apply(temporal.Value, client);
                client.Runtime = runtime;
            });
    }
}
