using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Specific.Jobs;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Redaction;
using Specific.Jobs.Retention;
using Specific.Jobs.Storage;
using Specific.JobsBot.FrontDoor;
using Specific.JobsBot.Home;
using Specific.JobsBot.Threads;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Hosting;

/// <summary>What each role hosts, so Program.cs reads as the list of parts.</summary>
public static class BotComposition
{
    /// <summary>
    /// Kestrel listens on Bot:Url (default http://127.0.0.1:3000), and on Bot:ManagementUrl when set; a stop takes at
    /// most Bot:ShutdownTimeout.
    /// </summary>
    public static WebApplicationBuilder ListenOnBotUrl(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<BotOptions>().BindConfiguration(BotOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BotOptions>, BotOptionsValidator>());
        // Read here, not from the validated options: the host reads HostOptions while it is built, before validation reports.
        var shutdownTimeout = builder.Configuration.GetValue<TimeSpan?>($"{BotOptions.Section}:{nameof(BotOptions.ShutdownTimeout)}") ?? new BotOptions().ShutdownTimeout;
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdownTimeout);
        var url = builder.Configuration[$"{BotOptions.Section}:{nameof(BotOptions.Url)}"] ?? BotOptions.DefaultUrl;
        var management = builder.Configuration[$"{BotOptions.Section}:{nameof(BotOptions.ManagementUrl)}"];
        builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(management) ? [url] : [url, management]);
        return builder;
    }

    /// <summary>
    /// The job engine as each role needs it: storage everywhere, retention in the bot and the sandbox; the bot starts flows on Temporal (or in process when
    /// Bot:Engine is InProcess) and reads the catalog; the worker runs the Temporal worker; the sandbox does both, the
    /// worker polling the Temporal stand-in in the same process (or runs flows in process with Bot:Engine=InProcess).
    /// </summary>
    public static IServiceCollection AddJobEngineFor(this IServiceCollection services, IConfiguration configuration, BotRole role)
    {
        services.AddJobStorage(configuration);
        if (role != BotRole.Worker)
        {
            // Every deployment has a bot (a worker only beside it), so the bot prunes; replicas pruning together is harmless.
            services.AddJobRetention();
        }

        services.AddKubernetesJobs(configuration);
        return (role, EngineOf(configuration)) switch
        {
            (BotRole.Worker, _) => services.AddJobWorker(configuration),
#if SANDBOX
            (BotRole.Sandbox, JobEngineMode.Temporal) => services
                .AddJobEngine(configuration, JobEngineMode.Temporal)
                .AddJobWorker(configuration)
                .AddHostedService<SandboxFlowRecovery>(),
#endif
            (_, var engine) => services.AddJobEngine(configuration, engine),
        };
    }

    /// <summary>Bot:Engine: Temporal unless set to InProcess.</summary>
    public static JobEngineMode EngineOf(IConfiguration configuration) =>
        configuration.GetValue($"{BotOptions.Section}:{nameof(BotOptions.Engine)}", JobEngineMode.Temporal);

    /// <summary>
    /// Slack's Web API client, the front door and the thread keeper: everything that talks to Slack, and the secret
    /// redaction all of it posts through (Redaction:SecretValues).
    /// </summary>
    public static IServiceCollection AddSlackParts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRedaction(configuration);
        services.AddSlackWebClient(configuration);
        services.AddSlackFrontDoor(configuration);
        services.AddSlackSocketMode(configuration);
        services.AddHostedService<CatalogWarmUp>();
        services.AddJobThreads(configuration);
        services.AddHomeTab(configuration);
        return services;
    }

    /// <summary>The thread keeper: posts each job's message and keeps it and its thread current (src/Specific.JobsBot/Threads).</summary>
    public static IServiceCollection AddJobThreads(this IServiceCollection services, IConfiguration configuration) =>
        services.AddThreadKeeper(configuration);
}
