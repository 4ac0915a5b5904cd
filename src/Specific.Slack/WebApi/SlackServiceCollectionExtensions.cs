using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Specific.Slack.WebApi;

/// <summary>Registers the Slack Web API client.</summary>
public static class SlackServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="SlackOptions"/> from the "Slack" section (validated at start) and registers
    /// <see cref="SlackWebClient"/> as a typed HttpClient.
    /// </summary>
    public static IServiceCollection AddSlackWebClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SlackOptions>()
            .Bind(configuration.GetSection(SlackOptions.Section))
            .ValidateDataAnnotations()
            .Validate(
                options => Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                "Slack:ApiBaseUrl must be an absolute http(s) URL.")
            .Validate(options => options.RequestTimeout > TimeSpan.Zero, "Slack:RequestTimeout must be positive.")
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(provider => new SlackMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHttpClient<SlackWebClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
