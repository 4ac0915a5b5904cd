using k8s;
using k8s.Models;
using Specific.Jobs.Kubernetes;
using Specific.Sandbox.ClusterSimulator;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>manifests/ parses, renders with Kustomize, grants exactly what the code calls, and loads into the cluster simulator.</summary>
public sealed class KubernetesManifestTests
{
    private const string Overlay = "manifests/overlays/production";
    private const string BotAccount = "specific-jobs-bot";
    private const string WorkerAccount = "specific-jobs-worker";

    /// <summary>The kinds the cluster simulator serves; the rest of the manifests are RBAC, networking, disruption budgets and monitoring.</summary>
    private static readonly HashSet<string> SimulatedKinds =
        ["Namespace", "Deployment", "ConfigMap", "Secret", "PersistentVolumeClaim", "Job", "Pod", "Event"];

    private static readonly HashSet<string> UnsimulatedKinds =
        ["ServiceAccount", "Role", "RoleBinding", "Service", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "PodMonitor", "PrometheusRule"];

    [Fact]
    public void Every_manifest_parses_as_Kubernetes_objects()
    {
        var files = ManifestFiles().ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var objects = MonitoringKinds.LoadAll(File.ReadAllText(file));
            Assert.NotEmpty(objects);
            Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
        }
    }

    [Fact]
    public async Task The_production_overlay_renders_with_kubectl_kustomize()
    {
        var objects = await RenderedAsync();
        var kinds = objects.Select(o => o.Kind).ToHashSet();
        Assert.Superset(new HashSet<string> { "Deployment", "ConfigMap", "Role", "NetworkPolicy", "Ingress", "PodDisruptionBudget" }, kinds);
        Assert.All(objects.OfType<V1Deployment>(), d => Assert.All(
            d.Spec.Template.Spec.Containers, c => Assert.Equal("ghcr.io/example/specific-jobs-bot:1.0.0", c.Image)));
    }

    [Fact]
    public void The_worker_role_grants_exactly_the_calls_the_Kubernetes_adapter_makes()
    {
        var granted = GrantedTo(BaseObjects(), WorkerAccount);
        Assert.Equal(Keys(KubernetesApiCalls.All), Keys(granted));
    }

    [Fact]
    public void The_base_bot_role_grants_only_the_service_catalog_s_deployment_list_and_value_redaction_is_off()
    {
        // Without the secret-value-redaction component the bot reaches Kubernetes only through IServiceCatalog.
        var objects = BaseObjects();
        Assert.Equal(Keys(KubernetesApiCalls.Bot), Keys(GrantedTo(objects, BotAccount)));
        Assert.Equal("false", RedactionSwitch(objects));
        Assert.DoesNotContain(KubernetesApiCalls.ReadSecret, GrantedTo(objects, BotAccount));
    }

    [Fact]
    public async Task The_base_renders_alone_with_value_redaction_off_and_no_access_to_Secrets()
    {
        var objects = await RenderedAsync("manifests/base");
        Assert.Equal(Keys(KubernetesApiCalls.Bot), Keys(GrantedTo(objects, BotAccount)));
        Assert.Equal(Keys(KubernetesApiCalls.All), Keys(GrantedTo(objects, WorkerAccount)));
        Assert.Equal("false", RedactionSwitch(objects));
    }

    [Fact]
    public async Task The_production_overlay_switches_value_redaction_on_and_grants_the_bot_exactly_what_it_reads()
    {
        var objects = await RenderedAsync();
        Assert.Equal(Keys([.. KubernetesApiCalls.Bot, .. KubernetesApiCalls.ValueRedaction]), Keys(GrantedTo(objects, BotAccount)));
        Assert.Equal("true", RedactionSwitch(objects));
        // Only the bot posts to Slack (the thread keeper runs in the bot role), so only the bot may read Secrets.
        Assert.Equal(Keys(KubernetesApiCalls.All), Keys(GrantedTo(objects, WorkerAccount)));
        Assert.DoesNotContain(KubernetesApiCalls.ReadSecret, GrantedTo(objects, WorkerAccount));
    }

    [Fact]
    public void The_redaction_switch_in_the_ConfigMap_is_the_configuration_key_the_code_binds()
    {
        Assert.Equal("Redaction__SecretValues",
            $"{Specific.Jobs.Redaction.RedactionOptions.Section}__{nameof(Specific.Jobs.Redaction.RedactionOptions.SecretValues)}");
    }

    [Fact]
    public void Both_deployments_run_non_root_with_a_read_only_root_and_no_secret_values()
    {
        var objects = BaseObjects();
        var deployments = objects.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name);
        Assert.Equal(["bot"], deployments[BotAccount].Spec.Template.Spec.Containers.Single().Args);
        Assert.Equal(["worker"], deployments[WorkerAccount].Spec.Template.Spec.Containers.Single().Args);
        Assert.Equal(2, deployments[BotAccount].Spec.Replicas);
        Assert.Contains(objects.OfType<V1PodDisruptionBudget>(), pdb => pdb.Spec.Selector.MatchLabels["app.kubernetes.io/component"] == "bot");

        foreach (var deployment in deployments.Values)
        {
            var pod = deployment.Spec.Template.Spec;
            Assert.True(pod.SecurityContext.RunAsNonRoot);
            Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
            var container = pod.Containers.Single();
            Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
            Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
            Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
            Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
            Assert.NotNull(container.ReadinessProbe);
            Assert.NotNull(container.Resources.Requests);
            Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp");
            // Secrets are referenced, never written into the manifests.
            Assert.All(container.Env.Where(e => e.Name.Contains("Token", StringComparison.Ordinal)
                    || e.Name.Contains("Secret", StringComparison.Ordinal) || e.Name.Contains("ConnectionString", StringComparison.Ordinal)),
                e => Assert.Equal(BotAccount, e.ValueFrom.SecretKeyRef.Name));
        }
        Assert.Empty(objects.OfType<V1Secret>());

        var ports = deployments.Values.Select(d => d.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "Bot__Url").Value);
        Assert.Equal(2, ports.Distinct().Count());
    }

    [Fact]
    public async Task The_rendered_manifests_load_into_the_cluster_simulator()
    {
        var objects = await RenderedAsync();
        var simulated = objects.Where(o => SimulatedKinds.Contains(o.Kind)).ToList();
        // ApplyYamlAsync refuses kinds the simulator does not serve, so only the served ones are applied; the rest
        // must be the RBAC, networking, disruption-budget and monitoring kinds we expect, nothing unaccounted for.
        Assert.Subset(UnsimulatedKinds, objects.Where(o => !SimulatedKinds.Contains(o.Kind)).Select(o => o.Kind).ToHashSet());

        var cancellationToken = TestContext.Current.CancellationToken;
        await using var simulator = await ClusterSimulator.StartAsync(
            new ClusterSimulatorOptions { Url = "http://127.0.0.1:0" }, cancellationToken: cancellationToken);
        await simulator.ApplyYamlAsync(string.Join("\n---\n", simulated.Select(o => KubernetesYaml.Serialize(o))), cancellationToken);

        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = simulator.BaseUrl.ToString() });
        var deployments = await client.AppsV1.ListNamespacedDeploymentAsync("specific-jobs", cancellationToken: cancellationToken);
        Assert.Equal([BotAccount, WorkerAccount], deployments.Items.Select(d => d.Metadata.Name).Order());
        var settings = await client.CoreV1.ReadNamespacedConfigMapAsync("specific-jobs-bot", "specific-jobs", cancellationToken: cancellationToken);
        Assert.Equal("postgres", settings.Data["Storage__Provider"]);
    }

    private static IEnumerable<string> ManifestFiles() =>
        Directory.EnumerateFiles(RepositoryFiles.PathOf("manifests"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml");

    private static List<IKubernetesObject> BaseObjects() =>
        Directory.EnumerateFiles(RepositoryFiles.PathOf("manifests", "base"), "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f)))
            .Cast<IKubernetesObject>()
            .ToList();

    private static async Task<List<IKubernetesObject>> RenderedAsync(string folder = Overlay)
    {
        var yaml = await RepositoryFiles.KustomizeAsync(folder, TestContext.Current.CancellationToken);
        if (yaml is null)
        {
            Assert.Skip("kubectl (with kustomize) is not installed at /usr/bin/kubectl");
        }
        return MonitoringKinds.LoadAll(yaml).Cast<IKubernetesObject>().ToList();
    }

    /// <summary>Every (group, resource, verb) the Roles bound to a service account allow.</summary>
    private static List<KubernetesApiCall> GrantedTo(List<IKubernetesObject> objects, string serviceAccount)
    {
        var roles = objects.OfType<V1RoleBinding>()
            .Where(b => b.Subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == serviceAccount))
            .Select(b => b.RoleRef)
            .ToList();
        Assert.NotEmpty(roles);
        Assert.All(roles, r => Assert.Equal("Role", r.Kind));
        Assert.Empty(objects.OfType<V1ClusterRoleBinding>());
        return objects.OfType<V1Role>()
            .Where(role => roles.Any(r => r.Name == role.Metadata.Name))
            .SelectMany(role => role.Rules)
            .SelectMany(rule => rule.ApiGroups.SelectMany(group => rule.Resources.SelectMany(resource =>
                rule.Verbs.Select(verb => new KubernetesApiCall(group, resource, verb)))))
            .ToList();
    }

    /// <summary>Redaction__SecretValues in the bot's ConfigMap.</summary>
    private static string RedactionSwitch(List<IKubernetesObject> objects) =>
        objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == BotAccount).Data["Redaction__SecretValues"];

    private static List<string> Keys(IEnumerable<KubernetesApiCall> calls) =>
        calls.Select(c => $"{c.Group}/{c.Resource}/{c.Verb}").Distinct().Order(StringComparer.Ordinal).ToList();
}
