using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>
/// A policy declared the way an operator declares it (configuration keys), bound and validated as at start-up, with
/// user groups the test defines. Environments production, staging and qa are configured.
/// </summary>
public sealed class PolicyHost : IDisposable
{
    private readonly ServiceProvider _services;

    public PolicyHost(IReadOnlyDictionary<string, string?> settings, StubUserGroups? groups = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Environments:Default"] = "production",
            ["Environments:Targets:production:Namespace"] = "production",
            ["Environments:Targets:staging:Namespace"] = "staging",
            ["Environments:Targets:qa:Namespace"] = "qa",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        Configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        Groups = groups ?? new StubUserGroups();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration);
        services.AddLogging();
        services.AddOptions<EnvironmentsOptions>().Bind(Configuration.GetSection(EnvironmentsOptions.Section));
        services.AddSingleton<IUserGroupMembers>(Groups);
        services.AddGuardrails();
        _services = services.BuildServiceProvider();
    }

    public IConfiguration Configuration { get; }

    public StubUserGroups Groups { get; }

    public AccessPolicy Policy => _services.GetRequiredService<AccessPolicy>();

    /// <summary>Everything the guardrails registered, such as <see cref="ApprovalRules"/>.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Need to know for job logs under this policy; its audit entries go to the (unwritten) audit trail.</summary>
    public LogAccess LogAccess => _services.GetRequiredService<LogAccess>();

    /// <summary>The options as start-up sees them; throws <see cref="OptionsValidationException"/> for an invalid policy.</summary>
    public GuardrailsOptions Options => _services.GetRequiredService<IOptions<GuardrailsOptions>>().Value;

    /// <summary>The saved tasks as start-up sees them; throws <see cref="OptionsValidationException"/> for an invalid task.</summary>
    public SavedTasksOptions Tasks => _services.GetRequiredService<IOptions<SavedTasksOptions>>().Value;

    public SavedTaskCatalog TaskCatalog => _services.GetRequiredService<SavedTaskCatalog>();

    public void Dispose() => _services.Dispose();
}
