using k8s;
using k8s.Models;
using Specific.JobsBot.Hosting;
using Specific.JobsBot.Hosting.Health;
using Specific.JobsBot.Observability;
using Specific.JobsBot.Tests.Shipping;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>The manifests probe, scrape and stop the bot the way the code serves and stops.</summary>
public sealed class OperationsManifestTests
{
    private static readonly Dictionary<string, V1Deployment> Deployments = Directory
        .EnumerateFiles(RepositoryFiles.PathOf("manifests", "base"), "*deployment.yaml")
        .SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(file)))
        .OfType<V1Deployment>()
        .ToDictionary(d => d.Metadata.Name);

    private static readonly V1ConfigMap Settings = KubernetesYaml.LoadAllFromString(RepositoryFiles.Read("manifests", "base", "configmap.yaml"))
        .OfType<V1ConfigMap>()
        .Single();

    [Theory]
    [InlineData("specific-jobs-bot")]
    [InlineData("specific-jobs-worker")]
    public void Probes_point_at_healthz_and_readyz_on_the_port_Prometheus_scrapes(string name)
    {
        var pod = Deployments[name].Spec.Template;
        var container = pod.Spec.Containers.Single();
        Assert.Equal(BotHealth.LivePath, container.LivenessProbe.HttpGet.Path);
        Assert.Equal(BotHealth.ReadyPath, container.ReadinessProbe.HttpGet.Path);

        var scrapePort = int.Parse(pod.Metadata.Annotations["prometheus.io/port"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("true", pod.Metadata.Annotations["prometheus.io/scrape"]);
        Assert.Equal(ObservabilityOptions.DefaultMetricsPath, pod.Metadata.Annotations["prometheus.io/path"]);
        var management = container.Ports.Single(p => p.ContainerPort == scrapePort);
        Assert.Equal(management.Name, container.LivenessProbe.HttpGet.Port.Value);
        Assert.Equal(management.Name, container.ReadinessProbe.HttpGet.Port.Value);

        // The port the probes and Prometheus use is one the process listens on.
        var listens = Env(container, "Bot__ManagementUrl") ?? Env(container, "Bot__Url");
        Assert.Equal(scrapePort, new Uri(listens!).Port);
    }

    [Theory]
    [InlineData("specific-jobs-bot")]
    [InlineData("specific-jobs-worker")]
    public void The_grace_period_outlasts_the_shutdown_timeout_which_outlasts_the_drain_delay(string name)
    {
        var pod = Deployments[name].Spec.Template.Spec;
        var container = pod.Containers.Single();
        var timeout = TimeSpan.Parse(Env(container, "Bot__ShutdownTimeout") ?? Settings.Data["Bot__ShutdownTimeout"], System.Globalization.CultureInfo.InvariantCulture);
        var drain = TimeSpan.Parse(Env(container, "Bot__DrainDelay") ?? Settings.Data["Bot__DrainDelay"], System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(drain < timeout, $"{name}: the drain delay {drain} leaves no time to finish work within {timeout}.");
        Assert.True(TimeSpan.FromSeconds(pod.TerminationGracePeriodSeconds!.Value) > timeout,
            $"{name}: Kubernetes kills the pod after {pod.TerminationGracePeriodSeconds} s, before the {timeout} shutdown ends.");
    }

    [Fact]
    public void The_config_map_carries_the_operations_settings_the_code_reads()
    {
        Assert.Equal("json", Settings.Data["Logging__Console__FormatterName"]);
        Assert.Equal("true", Settings.Data["Observability__Prometheus"]);
        Assert.True(Settings.Data.ContainsKey(BotTelemetry.OtlpEndpointVariable));
        Assert.True(Settings.Data.ContainsKey($"{BotOptions.Section}__{nameof(BotOptions.ShutdownTimeout)}"));
        Assert.True(Settings.Data.ContainsKey($"{BotOptions.Section}__{nameof(BotOptions.DrainDelay)}"));
        Assert.False(string.IsNullOrEmpty(Settings.Data["Temporal__Address"]), "Temporal__Address is required wherever flows run on Temporal.");
    }

    private static string? Env(V1Container container, string name) => container.Env?.SingleOrDefault(e => e.Name == name)?.Value;
}
