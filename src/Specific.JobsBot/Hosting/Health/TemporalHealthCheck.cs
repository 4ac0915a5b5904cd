using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Specific.Jobs.Flow;
using Temporalio.Client;

namespace Specific.JobsBot.Hosting.Health;

/// <summary>Ready when the Temporal frontend answers its gRPC health check (the client connects lazily on the first probe).</summary>
public sealed class TemporalHealthCheck(ITemporalClient client, IOptions<TemporalOptions> options) : IHealthCheck
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var address = options.Value.Address;
        try
        {
            var connection = client.Connection;
            if (!connection.IsConnected)
            {
                await connection.ConnectAsync().WaitAsync(cancellationToken);
            }

            var healthy = await connection.CheckHealthAsync(options: new RpcOptions { CancellationToken = cancellationToken, Timeout = CallTimeout })
                ;
            return healthy
                ? HealthCheckResult.Healthy($"Temporal at {address} is serving.")
                : HealthCheckResult.Unhealthy($"Temporal at {address} says it is not serving.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(
                $"Temporal at {address} does not answer ({exception.GetType().Name}: {exception.Message}). Check Temporal__Address.", exception);
        }
    }
}
