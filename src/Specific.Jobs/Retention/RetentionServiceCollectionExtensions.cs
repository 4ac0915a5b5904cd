using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Specific.Jobs.Logs;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Retention;

/// <summary>Registers retention: the pass and the background service that runs it.</summary>
public static class RetentionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="JobRetention"/> and a hosted service running it every Retention:Interval. Needs
    /// <c>AddJobStorage</c> (which binds and validates <see cref="RetentionOptions"/> and <see cref="LogsOptions"/>).
    /// One process per deployment is enough; more are harmless.
    /// </summary>
    public static IServiceCollection AddJobRetention(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new JobRetention(
            sp.GetRequiredService<IStoreRetention>(),
            sp.GetRequiredService<ILogStore>(),
            sp.GetRequiredService<IOptions<RetentionOptions>>().Value,
            sp.GetRequiredService<IOptions<LogsOptions>>().Value.RetentionDays,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<JobRetention>>()));
        services.AddHostedService<RetentionService>();
        return services;
    }
}
