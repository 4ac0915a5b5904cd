using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Specific.JobsBot.Home;

/// <summary>Registers the Home tab: its options, reader, renderer and publisher.</summary>
public static class HomeServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="HomeOptions"/> from "Home" and runs <see cref="HomePublisher"/> as a hosted service. Needs
    /// IJobStore, IThreadStore, IJobRedaction and SlackWebClient registered too.
    /// </summary>
    public static IServiceCollection AddHomeTab(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<HomeOptions>()
            .Bind(configuration.GetSection(HomeOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.PublishInterval >= TimeSpan.Zero, "Home__PublishInterval must not be negative, for example '00:00:03'.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HomeTabRenderer>();
        services.TryAddSingleton<HomeTabReader>();
        services.TryAddSingleton<HomePublisher>();
        services.AddHostedService(provider => provider.GetRequiredService<HomePublisher>());
        return services;
    }
}
