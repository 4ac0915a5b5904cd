using Microsoft.Extensions.Diagnostics.HealthChecks;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Hosting.Health;

/// <summary>Ready when the job store answers a one-row query: every replica needs it for every command and thread.</summary>
public sealed class StoreHealthCheck(IJobStore jobs) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await jobs.ListAsync(new JobQuery(Limit: 1), cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The job store answers.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(
                $"The job store does not answer ({exception.GetType().Name}: {exception.Message}). Check Storage__ConnectionString and that PostgreSQL is reachable.",
                exception);
        }
    }
}
