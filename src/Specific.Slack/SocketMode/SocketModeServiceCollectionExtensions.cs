using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Specific.Slack.WebApi;

namespace Specific.Slack.SocketMode;

/// <summary>Registers the Socket Mode client.</summary>
public static class SocketModeServiceCollectionExtensions
{
    /// <summary>The prefix of an app-level token; a bot (xoxb-) or user (xoxp-) token cannot open Socket Mode connections.</summary>
    public const string AppTokenPrefix = "xapp-";

    /// <summary>
    /// <see cref="SocketModeStatus"/> (always, so readiness can read it even when Socket Mode is off), and, for a host
    /// that uses Socket Mode, <see cref="SocketModeClient"/> with <see cref="SocketModeOptions"/> from "Slack:SocketMode".
    /// Slack:AppToken, when set, must be an app-level token, or start-up stops naming Slack__AppToken.
    /// Needs <see cref="SlackServiceCollectionExtensions.AddSlackWebClient"/>.
    /// </summary>
    public static IServiceCollection AddSlackSocketModeClient(this IServiceCollection services)
    {
        services.TryAddSingleton<SocketModeStatus>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SlackOptions>()
            .Validate(
                o => string.IsNullOrWhiteSpace(o.AppToken) || o.AppToken.StartsWith(AppTokenPrefix, StringComparison.Ordinal),
                "Slack__AppToken must be the app-level token (xapp-…) with the connections:write scope, from api.slack.com/apps → Basic Information → App-Level Tokens; leave it unset to receive Slack over HTTP.")
            .ValidateOnStart();
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
