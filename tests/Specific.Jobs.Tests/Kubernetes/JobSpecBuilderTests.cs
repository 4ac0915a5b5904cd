using k8s;
using k8s.Models;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Kubernetes;

public sealed class JobSpecBuilderTests
{
    private static readonly JobSpecInput Input = new("j-abc12345", "web", "production", "bin/rails runner 'Backfill.run' && echo \"done $HOME\"");

    // A realistic service: an app container with probes, ports and a preStop hook, an Envoy sidecar, a native
    // (restartPolicy: Always) log shipper, a migration init container, PVC and secret volumes, and env of every kind.
    private const string WebDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: production
          labels: { app: web, tier: frontend }
          annotations: { deployment.kubernetes.io/revision: "7" }
        spec:
          replicas: 3
          selector:
            matchLabels: { app: web }
          template:
            metadata:
              labels: { app: web, tier: frontend, version: v7 }
              annotations:
                kubectl.kubernetes.io/restartedAt: "2026-11-20T10:00:00Z"
                prometheus.io/scrape: "true"
                sandbox.specific.dev/simulate: no-shell
            spec:
              serviceAccountName: web
              imagePullSecrets: [{ name: registry }]
              securityContext: { runAsNonRoot: true, fsGroup: 2000 }
              nodeSelector: { pool: general }
              tolerations: [{ key: dedicated, operator: Equal, value: web, effect: NoSchedule }]
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms: [{ matchExpressions: [{ key: zone, operator: In, values: [a, b] }] }]
              priorityClassName: high
              terminationGracePeriodSeconds: 45
              initContainers:
                - name: migrate
                  image: registry.example.com/web:7
                  command: [bin/rails, db:migrate]
                  volumeMounts: [{ name: migrations-scratch, mountPath: /scratch }]
                - name: log-shipper
                  image: fluent/fluent-bit:3
                  restartPolicy: Always
                  volumeMounts: [{ name: logs, mountPath: /var/log/app }]
              containers:
                - name: app
                  image: registry.example.com/web:7
                  imagePullPolicy: IfNotPresent
                  command: [bundle, exec, puma]
                  args: [-C, config/puma.rb]
                  workingDir: /app
                  ports: [{ name: http, containerPort: 3000 }]
                  env:
                    - { name: GREETING, value: hello-from-web }
                    - name: DATABASE_URL
                      valueFrom: { secretKeyRef: { name: web-db, key: url } }
                    - name: POD_IP
                      valueFrom: { fieldRef: { fieldPath: status.podIP } }
                    - name: APP_VERSION
                      valueFrom: { fieldRef: { fieldPath: "metadata.labels['version']" } }
                  envFrom:
                    - configMapRef: { name: web-config }
                    - secretRef: { name: web-secrets }
                  resources:
                    requests: { cpu: 250m, memory: 512Mi }
                    limits: { memory: 1Gi }
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true }
                  volumeMounts:
                    - { name: data, mountPath: /data }
                    - { name: tls, mountPath: /etc/tls, readOnly: true }
                    - { name: logs, mountPath: /var/log/app }
                  livenessProbe: { httpGet: { path: /healthz, port: http } }
                  readinessProbe: { httpGet: { path: /ready, port: http } }
                  startupProbe: { httpGet: { path: /healthz, port: http }, failureThreshold: 30 }
                  lifecycle:
                    preStop: { exec: { command: [sleep, "10"] } }
                - name: envoy
                  image: envoyproxy/envoy:v1.31
                  ports: [{ containerPort: 15001 }]
                  volumeMounts: [{ name: envoy-config, mountPath: /etc/envoy }]
              volumes:
                - name: data
                  persistentVolumeClaim: { claimName: web-data }
                - name: tls
                  secret: { secretName: web-tls }
                - name: logs
                  emptyDir: {}
                - name: envoy-config
                  configMap: { name: envoy }
                - name: migrations-scratch
                  emptyDir: {}
        """;

    private const string SimpleDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: worker, namespace: staging }
        spec:
          selector: { matchLabels: { app: worker } }
          template:
            metadata: { labels: { app: worker } }
            spec:
              containers:
                - name: worker
                  image: registry.example.com/worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                  env: [{ name: QUEUE, value: default }]
        """;

    private static V1Deployment Parse(string yaml) => KubernetesYaml.Deserialize<V1Deployment>(yaml);

    private static BuiltJob Build(string yaml, JobSpecInput? input = null) => JobSpecBuilder.FromDeployment(Parse(yaml), input ?? Input);

    private static V1Container ContainerOf(BuiltJob built) => Assert.Single(built.Job.Spec.Template.Spec.Containers);

    [Fact]
    public void Command_is_run_verbatim_by_sh_and_the_image_args_are_dropped()
    {
        var container = ContainerOf(Build(WebDeployment));

        Assert.Equal(["sh", "-c", Input.Command], container.Command);
        Assert.Null(container.Args);
    }

    [Fact]
    public void Job_keeps_image_env_env_from_value_from_resources_and_working_dir()
    {
        var built = Build(WebDeployment);
        var container = ContainerOf(built);

        Assert.Equal("app", container.Name);
        Assert.Equal("registry.example.com/web:7", container.Image);
        Assert.Equal("registry.example.com/web:7", built.Image);
        Assert.Equal("app", built.Container);
        Assert.Equal("IfNotPresent", container.ImagePullPolicy);
        Assert.Equal("/app", container.WorkingDir);
        Assert.Equal(["GREETING", "DATABASE_URL", "POD_IP", "APP_VERSION"], container.Env.Select(e => e.Name));
        Assert.Equal("hello-from-web", container.Env[0].Value);
        Assert.Equal("web-db", container.Env[1].ValueFrom.SecretKeyRef.Name);
        Assert.Equal("url", container.Env[1].ValueFrom.SecretKeyRef.Key);
        Assert.Equal("status.podIP", container.Env[2].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("web-config", container.EnvFrom[0].ConfigMapRef.Name);
        Assert.Equal("web-secrets", container.EnvFrom[1].SecretRef.Name);
        Assert.Equal("250m", container.Resources.Requests["cpu"].ToString());
        Assert.Equal("1Gi", container.Resources.Limits["memory"].ToString());
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
    }

    [Fact]
    public void Job_drops_ports_probes_and_lifecycle_hooks()
    {
        var container = ContainerOf(Build(WebDeployment));

        Assert.Null(container.Ports);
        Assert.Null(container.LivenessProbe);
        Assert.Null(container.ReadinessProbe);
        Assert.Null(container.StartupProbe);
        Assert.Null(container.Lifecycle);
    }

    [Fact]
    public void Sidecars_native_sidecars_and_init_containers_are_not_replicated()
    {
        var spec = Build(WebDeployment).Job.Spec.Template.Spec;

        Assert.Equal(["app"], spec.Containers.Select(c => c.Name));
        Assert.Null(spec.InitContainers);
    }

    [Fact]
    public void Pod_keeps_the_service_identity_scheduling_and_security_settings()
    {
        var spec = Build(WebDeployment).Job.Spec.Template.Spec;

        Assert.Equal("web", spec.ServiceAccountName);
        Assert.Equal("registry", Assert.Single(spec.ImagePullSecrets).Name);
        Assert.True(spec.SecurityContext.RunAsNonRoot);
        Assert.Equal(2000, spec.SecurityContext.FsGroup);
        Assert.Equal("general", spec.NodeSelector["pool"]);
        Assert.Equal("dedicated", Assert.Single(spec.Tolerations).Key);
        Assert.Equal("zone", spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Key);
        Assert.Equal("high", spec.PriorityClassName);
        Assert.Equal(45, spec.TerminationGracePeriodSeconds);
    }

    [Fact]
    public void Only_volumes_the_primary_container_mounts_are_kept()
    {
        var built = Build(WebDeployment);
        var spec = built.Job.Spec.Template.Spec;

        Assert.Equal(["data", "tls", "logs"], spec.Volumes.Select(v => v.Name));
        Assert.Equal("web-data", spec.Volumes[0].PersistentVolumeClaim.ClaimName);
        Assert.Equal("web-tls", spec.Volumes[1].Secret.SecretName);
        Assert.Equal(["/data", "/etc/tls", "/var/log/app"], ContainerOf(built).VolumeMounts.Select(m => m.MountPath));
        Assert.Contains("volumes `envoy-config` and `migrations-scratch` not mounted (used only by other containers)", built.Notes);
    }

    [Fact]
    public void Job_runs_once_and_is_cleaned_up_an_hour_after_it_ends()
    {
        var job = Build(WebDeployment).Job;

        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.Equal(3600, job.Spec.TtlSecondsAfterFinished);
        Assert.Null(job.Spec.ActiveDeadlineSeconds);
        Assert.Equal(900, Build(WebDeployment, Input with { ActiveDeadlineSeconds = 900 }).Job.Spec.ActiveDeadlineSeconds);
    }

    [Fact]
    public void Selector_and_template_labels_are_never_copied()
    {
        var job = Build(WebDeployment).Job;
        var expected = new Dictionary<string, string>
        {
            ["app.kubernetes.io/managed-by"] = "specific-jobs",
            ["jobs.specific.dev/job-id"] = "j-abc12345",
            ["jobs.specific.dev/service"] = "web",
            ["jobs.specific.dev/environment"] = "production",
        };

        Assert.Equal(expected, job.Metadata.Labels);
        Assert.Equal(expected, job.Spec.Template.Metadata.Labels);
        Assert.DoesNotContain("app", job.Spec.Template.Metadata.Labels.Keys);
        Assert.Null(job.Spec.Selector);
    }

    [Fact]
    public void Job_is_named_from_the_job_id_in_the_deployments_namespace()
    {
        var job = Build(WebDeployment).Job;

        Assert.Equal("specific-job-abc12345", job.Metadata.Name);
        Assert.Equal("production", job.Metadata.NamespaceProperty);
        Assert.Equal("batch/v1", job.ApiVersion);
        Assert.Equal("Job", job.Kind);
    }

    [Fact]
    public void Pod_annotations_are_kept_except_restarted_at_and_mesh_injection_is_off()
    {
        var annotations = Build(WebDeployment).Job.Spec.Template.Metadata.Annotations;

        Assert.Equal("no-shell", annotations["sandbox.specific.dev/simulate"]);
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal("false", annotations["sidecar.istio.io/inject"]);
        Assert.DoesNotContain("kubectl.kubernetes.io/restartedAt", annotations.Keys);
    }

    [Fact]
    public void Notes_say_what_was_left_out()
    {
        var notes = Build(WebDeployment).Notes;

        Assert.Equal(
        [
            "sidecar `envoy` not replicated",
            "init container `migrate` not run",
            "sidecar `log-shipper` not replicated",
            "ports, liveness probe, readiness probe, startup probe and preStop hook dropped",
            "volumes `envoy-config` and `migrations-scratch` not mounted (used only by other containers)",
            "env `APP_VERSION` reads pod label `version`, which the Job's pod does not carry",
        ], notes);
    }

    [Fact]
    public void A_plain_deployment_gets_no_notes()
    {
        var built = Build(SimpleDeployment, new JobSpecInput("j-zzzz0000", "worker", "staging", "echo hi"));

        Assert.Empty(built.Notes);
        Assert.Null(built.Job.Spec.Template.Spec.Volumes);
        Assert.Equal("staging", built.Job.Metadata.NamespaceProperty);
        Assert.StartsWith("registry.example.com/worker@sha256:", built.Image);
    }

    [Fact]
    public void Primary_container_can_be_named_by_the_default_container_annotation()
    {
        var yaml = WebDeployment.Replace(
            "prometheus.io/scrape: \"true\"",
            "prometheus.io/scrape: \"true\"\n        kubectl.kubernetes.io/default-container: envoy",
            StringComparison.Ordinal);

        var built = Build(yaml);

        Assert.Equal("envoy", built.Container);
        Assert.Equal("envoyproxy/envoy:v1.31", ContainerOf(built).Image);
        Assert.Equal(["envoy-config"], built.Job.Spec.Template.Spec.Volumes.Select(v => v.Name));
        Assert.Contains("sidecar `app` not replicated", built.Notes);
    }

    [Fact]
    public void Default_container_annotation_naming_a_missing_container_is_a_clear_error()
    {
        var yaml = WebDeployment.Replace(
            "prometheus.io/scrape: \"true\"",
            "prometheus.io/scrape: \"true\"\n        kubectl.kubernetes.io/default-container: api",
            StringComparison.Ordinal);

        var error = Assert.Throws<JobSpecException>(() => Build(yaml));

        Assert.Contains("`api`", error.Message, StringComparison.Ordinal);
        Assert.Contains("`app` and `envoy`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_deployment_is_not_modified()
    {
        var deployment = Parse(WebDeployment);
        var before = KubernetesJson.Serialize(deployment);

        var built = JobSpecBuilder.FromDeployment(deployment, Input);
        built.Job.Spec.Template.Spec.Containers[0].Env.Clear();

        Assert.Equal(before, KubernetesJson.Serialize(deployment));
    }

    [Fact]
    public void Built_job_survives_serialization_as_the_api_would_receive_it()
    {
        var json = KubernetesJson.Serialize(Build(WebDeployment).Job);
        var back = KubernetesJson.Deserialize<V1Job>(json);

        Assert.Equal(["sh", "-c", Input.Command], back.Spec.Template.Spec.Containers[0].Command);
        Assert.DoesNotContain("livenessProbe", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"app\":\"web\"", json, StringComparison.Ordinal);
    }
}
