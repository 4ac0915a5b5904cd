using Microsoft.Extensions.Diagnostics.HealthChecks;
using Specific.Jobs.Readiness;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Hosting.Health;

/// <summary>
/// Ready when the job store answers a one-row query and the stores still take writes (a heartbeat in PostgreSQL, in each SQLite file at its path)
/// (<see cref="StoreWriteChecks"/>): every replica needs them for every command and thread.
/// </summary>
public sealed class StoreHealthCheck(IJobStore jobs, StoreWriteChecks writes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The files first: a file gone from under the bot also fails the query, and this names the file and what to do.
        if (await writes.ProblemAsync(cancellationToken) is { } problem)
        {
            return HealthCheckResult.Unhealthy(problem);
        }

        var seen = writes.RoundsBegun;
        try
        {
            await jobs.ListAsync(new JobQuery(Limit: 1), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The file may have gone since the kept answer was taken: a round begun after the query names it if so.
            if (await writes.ProblemAsync(after: seen, cancellationToken) is { } gone)
            {
                return HealthCheckResult.Unhealthy(gone);
            }

            var check = writes.Probes.Any(probe => probe is SqliteWriteProbe) ? "Check Storage__SqlitePath and the disk it is on." : "Check Storage__ConnectionString and that PostgreSQL is reachable.";
            return HealthCheckResult.Unhealthy($"The job store does not answer ({exception.GetType().Name}: {exception.Message}). {check}", exception);
        }

        return HealthCheckResult.Healthy(writes.Probes.Count == 0 ? "The job store answers." : "The job store answers and takes writes.");
    }
}
