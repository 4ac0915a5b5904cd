using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Specific.JobsBot.Threads;

/// <summary>Registers the thread keeper.</summary>
public static class ThreadKeeperServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ThreadKeeperOptions"/> from "Threads" and runs <see cref="ThreadKeeper"/> as a hosted service.
    /// Needs IJobStore, ILogStore, IThreadStore and the Slack Web API client (AddSlackWebClient) registered too.
    /// </summary>
    public static IServiceCollection AddThreadKeeper(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ThreadKeeperOptions>()
            .Bind(configuration.GetSection(ThreadKeeperOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.LeaseDuration >= TimeSpan.FromSeconds(3), "Threads__LeaseDuration must be at least 3 seconds, for example '00:01:00'.")
            .Validate(o => o.ExcerptInterval >= TimeSpan.Zero && o.LogPollInterval > TimeSpan.Zero && o.SweepInterval > TimeSpan.Zero,
                "Threads__ExcerptInterval must not be negative, and Threads__LogPollInterval and Threads__SweepInterval must be positive.")
            .Validate(o => o.RequesterDmAfter >= TimeSpan.Zero,
                "Threads__RequesterDmAfter must not be negative: how long a job runs before its requester also gets a direct message when it ends, for example '00:10:00'.")
            .Validate(o => o.InitialBackoff > TimeSpan.Zero && o.MaxBackoff >= o.InitialBackoff, "Threads__InitialBackoff must be positive and Threads__MaxBackoff at least as long.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JobMessageRenderer>();
        services.TryAddSingleton<ThreadReplyRenderer>();
        services.TryAddSingleton(provider => new ThreadKeeperMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(provider => new SlackPacer(
            provider.GetRequiredService<IOptions<ThreadKeeperOptions>>().Value, provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ThreadKeeper>();
        services.AddHostedService(provider => provider.GetRequiredService<ThreadKeeper>());
        return services;
    }
}
