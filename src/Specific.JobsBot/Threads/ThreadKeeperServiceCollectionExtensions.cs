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
            .Validate(o => o.LeaseDuration >= TimeSpan.FromSeconds(3), "Threads:LeaseDuration must be at least 3 seconds.")
            .Validate(o => o.ExcerptInterval >= TimeSpan.Zero && o.LogPollInterval > TimeSpan.Zero && o.SweepInterval > TimeSpan.Zero,
                "Threads intervals must be positive.")
            .Validate(o => o.InitialBackoff > TimeSpan.Zero && o.MaxBackoff >= o.InitialBackoff, "Threads backoff must be positive.")
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
