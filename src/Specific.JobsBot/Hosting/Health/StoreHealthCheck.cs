using Microsoft.Extensions.Diagnostics.HealthChecks;
using Specific.Jobs.Readiness;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Hosting.Health;

/// <summary>
/// Whether the job store answers a one-row query and the stores still take writes (a heartbeat in PostgreSQL, in each
/// SQLite file at its path) (<see cref="StoreWriteChecks"/>). A fault of a store of this replica's own (a SQLite file)
/// takes it out of the Service; a fault of the PostgreSQL every replica shares only degrades it: taking every replica
/// out would make Slack show its generic error, where a replica still in the Service answers that nothing was started.
/// </summary>
public sealed class StoreHealthCheck(IJobStore jobs, StoreWriteChecks writes, StoreSchemaStatus schema) : IHealthCheck
{
    private const string StaysReady =
        " Every replica shares this store, so this one stays in the Service: it still answers Slack and says that nothing was started.";

    /// <summary>How long the store has to answer: under <see cref="BotHealth.CheckTimeout"/>, so a server that hangs is told as such (and degrades, when shared) rather than timed out as unhealthy.</summary>
    public static readonly TimeSpan AnswerWithin = BotHealth.CheckTimeout - TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(AnswerWithin);
        var shared = writes.Probes.Any(probe => probe.SharedByReplicas);
        try
        {
            return await CheckAsync(budget.Token);
        }
        catch (OperationCanceledException late) when (!cancellationToken.IsCancellationRequested)
        {
            return Fault($"The job store did not answer within {AnswerWithin.TotalSeconds:0} s. {WhatToCheck()}", shared, late);
        }
    }

    private async Task<HealthCheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        // The files first: a file gone from under the bot also fails the query, and this names the file and what to do.
        if (await writes.ProblemAsync(cancellationToken) is { } problem)
        {
            return Fault(problem.Description, problem.SharedByReplicas);
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
                return Fault(gone.Description, gone.SharedByReplicas);
            }

            var shared = writes.Probes.Any(probe => probe.SharedByReplicas);
            return Fault($"The job store does not answer ({exception.GetType().Name}: {exception.Message}). {WhatToCheck()}", shared, exception);
        }

        var answers = writes.Probes.Count == 0 ? "The job store answers." : "The job store answers and takes writes.";
        return HealthCheckResult.Healthy(schema.NewerSchemaNote is { } note ? $"{answers} {note}" : answers);
    }

    private string WhatToCheck() => writes.Probes.Any(probe => probe is SqliteWriteProbe)
        ? "Check Storage__SqlitePath and the disk it is on."
        : "Check Storage__ConnectionString and that PostgreSQL is reachable.";

    private static HealthCheckResult Fault(string description, bool sharedByReplicas, Exception? exception = null) =>
        sharedByReplicas
            ? HealthCheckResult.Degraded(description + StaysReady, exception)
            : HealthCheckResult.Unhealthy(description, exception);
}
