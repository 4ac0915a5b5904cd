using Microsoft.Extensions.Diagnostics.HealthChecks;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Hosting.Health;

/// <summary>
/// Ready when Slack accepts the bot token (auth.test). The answer is kept for a while, and concurrent probes share one
/// call, so readiness probes every few seconds cost Slack a call a minute per replica. A refused token is unready;
/// Slack being slow, down or rate-limiting is only degraded (still ready): every replica would fail alike, and
/// acknowledging Slack's requests does not need the Web API.
/// </summary>
public sealed class SlackAuthHealthCheck(SlackWebClient slack, TimeProvider time) : IHealthCheck
{
    /// <summary>How long an accepted token is trusted before auth.test is asked again.</summary>
    public static readonly TimeSpan AcceptedFor = TimeSpan.FromSeconds(60);

    /// <summary>How long any other answer is kept: a fixed token shows up soon, a failing Slack is not hammered.</summary>
    public static readonly TimeSpan OtherwiseFor = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (HealthCheckResult Result, DateTimeOffset Until)? _cached;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } shared)
            {
                return shared;
            }

            var result = await AskSlackAsync(cancellationToken);
            var keep = result.Status == HealthStatus.Healthy ? AcceptedFor : OtherwiseFor;
            _cached = (result, time.GetUtcNow() + keep);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private HealthCheckResult? Fresh() =>
        _cached is { } entry && entry.Until > time.GetUtcNow() ? entry.Result : null;

    private async Task<HealthCheckResult> AskSlackAsync(CancellationToken cancellationToken)
    {
        try
        {
            var identity = await slack.AuthTestAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Slack accepts the bot token (team {identity.TeamId}, bot user {identity.UserId}).");
        }
        catch (SlackRateLimitedException limited)
        {
            return HealthCheckResult.Degraded($"Slack rate-limited auth.test (retry after {limited.RetryAfter.TotalSeconds:0} s); the token is not in doubt.");
        }
        catch (SlackTransientException transient)
        {
            return HealthCheckResult.Degraded($"Slack did not answer auth.test ({transient.Reason}); the Web API may be down.", transient);
        }
        catch (SlackApiException refused)
        {
            return HealthCheckResult.Unhealthy(
                $"Slack refused the bot token: auth.test answered {refused.Error}. Set Slack__BotToken to the app's Bot User OAuth Token (xoxb-...).",
                refused);
        }
    }
}
