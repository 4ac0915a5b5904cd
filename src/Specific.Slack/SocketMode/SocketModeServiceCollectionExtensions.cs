using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Specific.Slack.WebApi;

namespace Specific.Slack.SocketMode;

/// <summary>Registers the Socket Mode client.</summary>
public static class SocketModeServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="SocketModeStatus"/> (always, so readiness can read it even when Socket Mode is off), and, for a host
    /// that uses Socket Mode, <see cref="SocketModeClient"/> with <see cref="SocketModeOptions"/> from "Slack:SocketMode".
    /// Needs <see cref="SlackServiceCollectionExtensions.AddSlackWebClient"/>, whose <see cref="SlackOptions"/> check
    /// refuses a Slack:AppToken that is not an app-level token.
    /// </summary>
    public static IServiceCollection AddSlackSocketModeClient(this IServiceCollection services)
    {
        services.TryAddSingleton<SocketModeStatus>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SocketModeOptions>()
            .BindConfiguration(SocketModeOptions.Section)
            .Validate(o => o.HelloTimeout > TimeSpan.Zero, "Slack__SocketMode__HelloTimeout must be positive.")
            .Validate(o => o.ReconnectBaseDelay > TimeSpan.Zero && o.ReconnectMaxDelay >= o.ReconnectBaseDelay,
                "Slack__SocketMode__ReconnectBaseDelay must be positive and at most Slack__SocketMode__ReconnectMaxDelay.")
            .ValidateOnStart();
        services.TryAddSingleton<SocketModeClient>();
        return services;
    }
}
