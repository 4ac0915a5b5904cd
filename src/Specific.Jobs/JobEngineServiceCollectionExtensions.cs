using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Temporalio.Extensions.Hosting;

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
    /// from the "Temporal" section (Address, Namespace) and the <see cref="RecordedCancelDelivery"/> sweep. Storage and Kubernetes are registered by
    /// <c>AddJobStorage</c> and <c>AddKubernetesJobs</c>.
    /// </summary>
    public static IServiceCollection AddJobEngine(
        this IServiceCollection services, IConfiguration configuration, JobEngineMode mode)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<EnvironmentsOptions>().Bind(configuration.GetSection(EnvironmentsOptions.Section));

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
                services.TryAddSingleton<IJobLauncher, TemporalJobLauncher>();
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
        services.AddOptions<EnvironmentsOptions>().Bind(configuration.GetSection(EnvironmentsOptions.Section));
        services.AddJobTemporalClient(configuration);
        services.AddHostedTemporalWorker(JobTemporal.TaskQueue)
            .AddScopedActivities<JobActivities>()
            .AddWorkflow<RunJobWorkflow>()
            .ConfigureOptions(worker => worker.MaxHeartbeatThrottleInterval = JobTemporal.MaxHeartbeatThrottleInterval);
        return services;
    }

    private static void AddJobTemporalClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TemporalOptions>().Bind(configuration.GetSection(TemporalOptions.Section))
            .Validate(o => TemporalOptions.IsHostAndPort(o.Address),
                "Temporal__Address is not set to host:port: set it to the Temporal frontend, for example 'temporal-frontend.temporal:7233' (or run the bot with Bot__Engine=InProcess).")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Namespace), "Temporal__Namespace is empty: set it to the Temporal namespace, for example 'default'.")
            .ValidateOnStart();
        services.AddTemporalClient()
            .Configure<IOptions<TemporalOptions>>((client, temporal) =>
            {
                client.TargetHost = temporal.Value.Address;
                client.Namespace = temporal.Value.Namespace;
            });
    }
}
