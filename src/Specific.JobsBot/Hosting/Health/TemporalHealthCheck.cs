using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Specific.Jobs.Flow;
using Temporalio.Client;

namespace Specific.JobsBot.Hosting.Health;

/// <summary>
/// Whether the Temporal frontend answers its gRPC health check (the client connects lazily on the first probe). Temporal
/// is shared by every replica, like PostgreSQL: a bot that cannot reach it only degrades, and stays in the Service, so
/// Slack gets the bot's own answer (the job could not be started) rather than its generic error from a Service with no
/// ready pod. A worker (<paramref name="staysReady"/> false) serves no Slack traffic, and turns unready.
/// </summary>
public sealed class TemporalHealthCheck(ITemporalClient client, IOptions<TemporalOptions> options, bool staysReady = false) : IHealthCheck
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    private const string StaysReady =
        " Every replica shares Temporal, so this one stays in the Service: it still answers Slack and says that nothing was started.";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var address = options.Value.Address;
        // Under the framework's timeout, so a frontend that hangs is told (and degrades) rather than timed out as unhealthy.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(CallTimeout);
        try
        {
            var connection = client.Connection;
            if (!connection.IsConnected)
            {
                await connection.ConnectAsync().WaitAsync(budget.Token);
            }

            var healthy = await connection.CheckHealthAsync(options: new RpcOptions { CancellationToken = budget.Token, Timeout = CallTimeout });
            return healthy
                ? HealthCheckResult.Healthy($"Temporal at {address} is serving.")
                : Fault($"Temporal at {address} says it is not serving.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var why = budget.IsCancellationRequested ? $"within {CallTimeout.TotalSeconds:0} s" : $"({exception.GetType().Name}: {exception.Message})";
            return Fault($"Temporal at {address} does not answer {why}. Check Temporal__Address and that the frontend is up.", exception);
        }
    }

    private HealthCheckResult Fault(string description, Exception? exception = null) =>
        staysReady
            ? HealthCheckResult.Degraded(description + StaysReady, exception)
            : HealthCheckResult.Unhealthy(description, exception);
}
