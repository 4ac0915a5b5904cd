using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Redaction;
using Specific.Jobs.Tests.Kubernetes;

namespace Specific.Jobs.Tests.Redaction;

/// <summary>
/// Reading a job's secret values with the real KubernetesClient against the cluster simulator over HTTP: the Secrets
/// its container names (env secretKeyRef and envFrom secretRef), the Job or else the Deployment as the source, and
/// what happens when a Secret is refused or gone. The job really runs, so its output shows what would reach Slack.
/// </summary>
public sealed class KubernetesSecretValueSourceTests
{
    private const string ApiKey = "pk_live_51Sandbox7hQ2mX9vR4";
    private const string Signing = "whsec_sandbox_4f9c2e71b8";
    private const string Unreferenced = "never-referenced-value-77";
    private const string Refused = "ledger-sandbox-password-19ab";

    private const string Manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: production }
        ---
        apiVersion: v1
        kind: Secret
        metadata: { name: payments-api, namespace: production }
        stringData: { api-key: pk_live_51Sandbox7hQ2mX9vR4, other-key: never-referenced-value-77 }
        ---
        apiVersion: v1
        kind: Secret
        metadata: { name: payments-signing, namespace: production }
        stringData: { WEBHOOK_SIGNING_SECRET: whsec_sandbox_4f9c2e71b8 }
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: ledger-credentials
          namespace: production
          annotations: { sandbox.specific.dev/simulate: forbidden }
        stringData: { LEDGER_PASSWORD: ledger-sandbox-password-19ab }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: payments, namespace: production }
        spec:
          replicas: 0
          selector: { matchLabels: { app: payments } }
          template:
            metadata: { labels: { app: payments } }
            spec:
              containers:
                - name: payments
                  image: registry.example.com/payments:2.1.0
                  env:
                    - { name: PAYMENTS_API_KEY, valueFrom: { secretKeyRef: { name: payments-api, key: api-key } } }
                    - { name: MAYBE, valueFrom: { secretKeyRef: { name: not-there, key: x, optional: true } } }
                  envFrom:
                    - secretRef: { name: payments-signing }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: ledger, namespace: production }
        spec:
          replicas: 0
          selector: { matchLabels: { app: ledger } }
          template:
            metadata: { labels: { app: ledger } }
            spec:
              containers:
                - name: ledger
                  image: registry.example.com/ledger:0.4.0
                  envFrom: [{ secretRef: { name: ledger-credentials } }]
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KubernetesSecretValueSource SourceFor(SimulatedCluster cluster) =>
        new(new KubernetesClientFactory(
                Microsoft.Extensions.Options.Options.Create(cluster.Options),
                Microsoft.Extensions.Options.Options.Create(new EnvironmentsOptions
                {
                    Targets = { [SimulatedCluster.Environment] = new EnvironmentTarget { Namespace = SimulatedCluster.Namespace } },
                })),
            NullLogger<KubernetesSecretValueSource>.Instance);

    private static JobRecord RecordOf(PreparedJob job, string service, string command) => new()
    {
        Id = job.JobId,
        Service = service,
        Environment = SimulatedCluster.Environment,
        Command = command,
        Origin = new JobOrigin(JobOrigin.Slack),
        State = JobState.Running,
        Version = 1,
        CreatedAt = DateTimeOffset.UtcNow,
        KubernetesJobName = job.JobName,
        Namespace = job.Namespace,
    };

    [Fact]
    public async Task The_values_a_job_takes_from_Secrets_are_read_and_its_real_output_is_redacted()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        const string command = "echo key=$PAYMENTS_API_KEY; echo signing=$WEBHOOK_SIGNING_SECRET; echo $PAYMENTS_API_KEY | base64";
        var job = await cluster.StartJobAsync("payments", command);
        var observer = new RecordingObserver();
        await cluster.FollowAsync(job, observer);
        var output = string.Join('\n', observer.Texts);
        Assert.Contains(ApiKey, output, StringComparison.Ordinal);

        var read = await SourceFor(cluster).ReadAsync(RecordOf(job, "payments", command), Ct);

        Assert.Empty(read.Problems);
        Assert.Equal([ApiKey, Signing], read.Values.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Unreferenced, read.Values);
        var redacted = new SecretRedactor(SecretValueSet.Create(read.Values)).Redact(output);
        Assert.Equal("key=[redacted]\nsigning=[redacted]\n[redacted]", redacted);
    }

    [Fact]
    public async Task Once_the_Job_is_gone_the_Deployment_names_the_Secrets()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.StartJobAsync("payments", "true");
        await cluster.Client.BatchV1.DeleteNamespacedJobAsync(job.JobName, job.Namespace, propagationPolicy: "Background", cancellationToken: Ct);

        var read = await SourceFor(cluster).ReadAsync(RecordOf(job, "payments", "true"), Ct);

        Assert.Empty(read.Problems);
        Assert.Equal([ApiKey, Signing], read.Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_refused_Secret_is_reported_with_the_RBAC_it_needs_and_the_switch_that_avoids_it()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.StartJobAsync("ledger", "echo $LEDGER_PASSWORD");

        var read = await SourceFor(cluster).ReadAsync(RecordOf(job, "ledger", "echo $LEDGER_PASSWORD"), Ct);

        Assert.Empty(read.Values);
        var problem = Assert.Single(read.Problems);
        Assert.Contains("may not get secrets in `production`", problem, StringComparison.Ordinal);
        Assert.Contains("Secret `ledger-credentials`", problem, StringComparison.Ordinal);
        Assert.Contains("Redaction__SecretValues=false", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Refused, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Secret_deleted_after_the_job_started_is_reported_and_an_optional_missing_one_is_not()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.StartJobAsync("payments", "true");
        await cluster.Client.CoreV1.DeleteNamespacedSecretAsync("payments-signing", SimulatedCluster.Namespace, cancellationToken: Ct);

        var read = await SourceFor(cluster).ReadAsync(RecordOf(job, "payments", "true"), Ct);

        Assert.Equal([ApiKey], read.Values);
        Assert.Equal(["Secret `payments-signing` no longer exists in `production`"], read.Problems);
    }

    [Fact]
    public async Task A_job_whose_Job_and_Deployment_are_both_gone_is_reported()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.StartJobAsync("payments", "true");
        await cluster.Client.BatchV1.DeleteNamespacedJobAsync(job.JobName, job.Namespace, propagationPolicy: "Background", cancellationToken: Ct);
        await cluster.Client.AppsV1.DeleteNamespacedDeploymentAsync("payments", SimulatedCluster.Namespace, cancellationToken: Ct);

        var read = await SourceFor(cluster).ReadAsync(RecordOf(job, "payments", "true"), Ct);

        Assert.Empty(read.Values);
        Assert.Contains("Deployment `payments`", Assert.Single(read.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_that_never_started_because_the_service_is_not_deployed_needs_no_warning()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var record = new JobRecord
        {
            Id = "j-00000001", Service = "not-deployed", Environment = SimulatedCluster.Environment, Command = "true",
            Origin = new JobOrigin(JobOrigin.Slack), State = JobState.Failed, Version = 3, CreatedAt = DateTimeOffset.UtcNow,
            FailureReason = "Service `not-deployed` is not deployed in environment `production`.",
        };

        var read = await SourceFor(cluster).ReadAsync(record, Ct);

        Assert.Empty(read.Values);
        Assert.Empty(read.Problems);
    }

    [Fact]
    public async Task Registered_with_AddRedaction_it_redacts_by_value_and_warns_when_a_Secret_is_refused()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kubernetes:Host"] = cluster.Options.Host,
            ["Environments:Targets:production:Namespace"] = "production",
        }).Build();
        await using var services = new ServiceCollection().AddLogging()
            .AddKubernetesJobs(configuration)
            .AddRedaction(configuration)
            .BuildServiceProvider();
        var redaction = services.GetRequiredService<IJobRedaction>();
        var payments = await cluster.StartJobAsync("payments", "true");
        var ledger = await cluster.StartJobAsync("ledger", "true");

        var byValue = await redaction.ForJobAsync(RecordOf(payments, "payments", "true"), Ct);
        Assert.Equal("[redacted] and [redacted]", byValue.Redact($"{ApiKey} and {Signing}"));
        Assert.Null(byValue.Warning);

        var shapesOnly = await redaction.ForJobAsync(RecordOf(ledger, "ledger", "true"), Ct);
        Assert.Equal($"{Refused} [redacted]", shapesOnly.Redact($"{Refused} xoxb-1234567890-abcdefghij"));
        Assert.StartsWith("Secret values could not be read", shapesOnly.Warning, StringComparison.Ordinal);
    }
}
