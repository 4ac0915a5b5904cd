using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>The production example ships time limits the code binds: no job it starts runs forever.</summary>
public sealed class TimeoutExampleTests
{
    [Fact]
    public void The_production_config_map_limits_jobs_to_an_hour_by_default_and_six_at_most()
    {
        var settings = KubernetesYaml.LoadAllFromString(RepositoryFiles.Read("manifests", "base", "configmap.yaml"))
            .OfType<V1ConfigMap>()
            .Single()
            .Data
            .Where(entry => entry.Key.StartsWith(EnvironmentsOptions.Section + "__", StringComparison.Ordinal))
            .ToDictionary(entry => entry.Key.Replace("__", ":", StringComparison.Ordinal), entry => (string?)entry.Value);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddEnvironments(configuration).BuildServiceProvider();

        var environments = provider.GetRequiredService<IOptions<EnvironmentsOptions>>().Value;

        Assert.Equal(new TimeoutRange(TimeSpan.FromHours(1), TimeSpan.FromHours(6)), environments.TimeoutFor(environments.Default, "web"));
    }
}
