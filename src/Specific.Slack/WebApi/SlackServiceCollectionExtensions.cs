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
            .Validate(options => !string.IsNullOrWhiteSpace(options.BotToken),
                "Slack__BotToken is not set: set it to the app's Bot User OAuth Token (xoxb-...) from the Slack app's OAuth & Permissions page.")
            .Validate(
                options => Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                "Slack__ApiBaseUrl is not an absolute http(s) URL: leave it unset for https://slack.com/api/.")
            .Validate(options => options.RequestTimeout > TimeSpan.Zero, "Slack__RequestTimeout must be positive, for example '00:00:30'.")
            .Validate(options => options.UploadTimeout > TimeSpan.Zero, "Slack__UploadTimeout must be positive, for example '00:05:00'.")
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(provider => new SlackMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHttpClient<SlackWebClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
