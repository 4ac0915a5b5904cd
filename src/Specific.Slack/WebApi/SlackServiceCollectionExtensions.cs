using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Specific.Slack.WebApi;

/// <summary>Registers the Slack Web API client.</summary>
public static class SlackServiceCollectionExtensions
{
    /// <summary>
    /// The one registration of <see cref="SlackOptions"/>: binds the "Slack" section and checks it at start with
    /// <see cref="SlackOptionsValidator"/>; a second call changes nothing. A part with a rule of its own adds it to the
    /// builder this returns.
    /// </summary>
    public static OptionsBuilder<SlackOptions> AddSlackOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<SlackOptions>();
        if (!services.Any(IsSlackValidator))
        {
            options.Bind(configuration.GetSection(SlackOptions.Section)).ValidateOnStart();
            services.AddSingleton<IValidateOptions<SlackOptions>, SlackOptionsValidator>();
        }

        return options;
    }

    /// <summary>
    /// Binds <see cref="SlackOptions"/> (<see cref="AddSlackOptions"/>) and registers <see cref="SlackWebClient"/> as a
    /// typed HttpClient.
    /// </summary>
    public static IServiceCollection AddSlackWebClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSlackOptions(configuration);
        services.AddMetrics();
        services.TryAddSingleton(provider => new SlackMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHttpClient<SlackWebClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }

    private static bool IsSlackValidator(ServiceDescriptor service) =>
        service.ServiceType == typeof(IValidateOptions<SlackOptions>)
        && service.ImplementationType == typeof(SlackOptionsValidator);
}
