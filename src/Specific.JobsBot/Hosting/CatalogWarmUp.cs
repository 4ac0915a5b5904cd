using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;

namespace Specific.JobsBot.Hosting;

/// <summary>
/// Lists the default environment's services once before the bot listens, so the first slash command after a start
/// does not pay for the Kubernetes client's cold start inside Slack's 3 seconds. A failure only logs: the bot still starts.
/// </summary>
public sealed partial class CatalogWarmUp(IServiceCatalog catalog, IOptions<EnvironmentsOptions> environments, ILogger<CatalogWarmUp> logger) : IHostedService
{
    /// <summary>How long the start waits for the warm-up at most.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Budget);
        var environment = environments.Value.Default;
        try
        {
            var services = await catalog.ListServicesAsync(environment, budget.Token);
            LogWarm(environment, services.Count);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogCold(exception, environment);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kubernetes catalog warm: {Count} services in {Environment}")]
    private partial void LogWarm(string environment, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the services of {Environment} at start; the first command will try again")]
    private partial void LogCold(Exception exception, string environment);
}
