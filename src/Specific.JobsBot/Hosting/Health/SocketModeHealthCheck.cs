using Microsoft.Extensions.Diagnostics.HealthChecks;
using Specific.Slack.SocketMode;

namespace Specific.JobsBot.Hosting.Health;

/// <summary>
/// Ready when Slack can deliver to this replica: over HTTP (Socket Mode off), or over at least one open Socket Mode
/// connection. A refused app token is unready with the reason, so the rollout stops instead of silently dropping commands.
/// </summary>
public sealed class SocketModeHealthCheck(SocketModeStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = status.Current;
        var result = now switch
        {
            { State: SocketModeState.Off } => HealthCheckResult.Healthy("Socket Mode is off: Slack posts over HTTP."),
            { State: SocketModeState.Failed } => HealthCheckResult.Unhealthy(
                $"Slack refused the app-level token: {now.LastError}. Set Slack__AppToken to an xapp- token with connections:write."),
            { CanReceive: true } => HealthCheckResult.Healthy($"Socket Mode: {now.OpenConnections} open connection(s)."),
            _ => HealthCheckResult.Unhealthy(
                $"Socket Mode has no open connection ({now.State}{(now.LastError is null ? "" : $": {now.LastError}")})."),
        };
        return Task.FromResult(result);
    }
}
