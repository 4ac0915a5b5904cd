using k8s;
using k8s.Models;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>Jobs run as local processes and report their outcome through the Job and Pod status, as a cluster would.</summary>
public sealed class JobLifecycleTests
{
    [Fact]
    public async Task Failing_command_fails_the_job_with_exit_code_3_and_backoff_conditions()
    {
        await using var cluster = await TestCluster.StartAsync();
        var job = TestCluster.ShellJob("greet-fail", "echo $GREETING; echo $DATABASE_URL; echo $LOG_LEVEL; exit 3", j =>
        {
            var container = j.Spec.Template.Spec.Containers[0];
            container.Env =
            [
                new V1EnvVar { Name = "GREETING", Value = "hello-from-web" },
                new V1EnvVar { Name = "DATABASE_URL", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "web-secrets", Key = "database-url" } } },
            ];
            container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "web-config" } }];
        });
        await cluster.CreateJobAsync(job);

        var failed = await cluster.WaitForJobAsync("greet-fail", TestCluster.IsFinished);

        Assert.True(TestCluster.HasCondition(failed, "Failed"));
        var conditions = failed.Status.Conditions.Select(c => (c.Type, c.Reason)).ToList();
        Assert.Equal([("FailureTarget", "BackoffLimitExceeded"), ("Failed", "BackoffLimitExceeded")], conditions);
        Assert.Equal(1, failed.Status.Failed);
        Assert.Null(failed.Status.CompletionTime);

        var pod = await cluster.WaitForPodAsync("greet-fail", _ => true);
        Assert.Equal("Failed", pod.Status.Phase);
        var terminated = pod.Status.ContainerStatuses.Single().State.Terminated;
        Assert.Equal(3, terminated.ExitCode);
        Assert.Equal("Error", terminated.Reason);

        using var logStream = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, TestCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        var log = await new StreamReader(logStream).ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.Equal("hello-from-web\npostgres://web:s3cr3t@db.production.svc:5432/web\ninfo\n", log);

        var reasons = (await cluster.EventsAboutAsync("greet-fail")).Select(e => e.Reason).ToList();
        Assert.Contains("SuccessfulCreate", reasons);
        Assert.Contains("BackoffLimitExceeded", reasons);
    }

    [Fact]
    public async Task Successful_command_completes_the_job_with_success_criteria_then_complete()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("greet-ok", "echo done"));

        var complete = await cluster.WaitForJobAsync("greet-ok", TestCluster.IsFinished);

        Assert.Equal([("SuccessCriteriaMet", "CompletionsReached"), ("Complete", "CompletionsReached")],
            complete.Status.Conditions.Select(c => (c.Type, c.Reason)).ToList());
        Assert.Equal(1, complete.Status.Succeeded);
        Assert.NotNull(complete.Status.StartTime);
        Assert.NotNull(complete.Status.CompletionTime);
        var pod = await cluster.WaitForPodAsync("greet-ok", _ => true);
        Assert.Equal("Succeeded", pod.Status.Phase);
        Assert.Equal(("Completed", 0), (pod.Status.ContainerStatuses[0].State.Terminated.Reason, pod.Status.ContainerStatuses[0].State.Terminated.ExitCode));
        var events = await cluster.EventsAboutAsync(pod.Metadata.Name);
        Assert.Equal(["Scheduled", "Pulling", "Pulled", "Created", "Started"], events.OrderBy(e => e.Metadata.Name, StringComparer.Ordinal).Select(e => e.Reason).ToList());
        Assert.All(events, e => Assert.Equal(("Pod", pod.Metadata.Uid), (e.InvolvedObject.Kind, e.InvolvedObject.Uid)));
    }

    [Fact]
    public async Task Job_pod_is_named_labelled_and_owned_like_the_job_controller_does()
    {
        await using var cluster = await TestCluster.StartAsync();
        var job = await cluster.CreateJobAsync(TestCluster.ShellJob("labels", "true"));

        var pod = await cluster.WaitForPodAsync("labels", p => p.Spec.NodeName is not null);

        Assert.Matches("^labels-[bcdfghjklmnpqrstvwxz2456789]{5}$", pod.Metadata.Name);
        Assert.Equal("labels", pod.Metadata.Labels["job-name"]);
        Assert.Equal("labels", pod.Metadata.Labels["batch.kubernetes.io/job-name"]);
        Assert.Equal(job.Metadata.Uid, pod.Metadata.Labels["controller-uid"]);
        Assert.Equal(job.Metadata.Uid, pod.Metadata.Labels["batch.kubernetes.io/controller-uid"]);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("batch/v1", "Job", "labels", job.Metadata.Uid, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller ?? false));
        Assert.Equal("sandbox-node-a", pod.Spec.NodeName);
    }

    [Fact]
    public async Task Active_deadline_fails_the_job_with_DeadlineExceeded_and_stops_its_pod()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("too-slow", "sleep 60", j =>
        {
            j.Spec.ActiveDeadlineSeconds = 1;
            j.Spec.Template.Spec.TerminationGracePeriodSeconds = 1;
        }));

        var failed = await cluster.WaitForJobAsync("too-slow", TestCluster.IsFinished);

        var condition = failed.Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), (condition.Reason, condition.Message));
        // Failed waits for the pod to be terminal, not gone: as on Kubernetes, a deleted pod whose container has
        // stopped stays listed (with its deletionTimestamp) until the kubelet removes it.
        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(TestCluster.Namespace, labelSelector: "job-name=too-slow", cancellationToken: TestContext.Current.CancellationToken);
        Assert.All(pods.Items, pod =>
        {
            Assert.NotNull(pod.Metadata.DeletionTimestamp);
            Assert.Equal("Failed", pod.Status.Phase);
            Assert.NotNull(pod.Status.ContainerStatuses.Single().State.Terminated);
        });
        await cluster.WaitForPodsAsync("job-name=too-slow", remaining => remaining.Count == 0);
    }

    [Fact]
    public async Task Backoff_limit_allows_one_retry_after_the_controller_backoff_delay()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("retry", "exit 1", j => j.Spec.BackoffLimit = 1));
        await cluster.WaitForJobAsync("retry", j => j.Status?.Failed == 1);

        // The controller waits 10s before the replacement pod; the simulator's clock lets the test skip it.
        cluster.Simulator.Clock.Advance(TimeSpan.FromSeconds(11));
        var failed = await cluster.WaitForJobAsync("retry", TestCluster.IsFinished);

        Assert.Equal(2, failed.Status.Failed);
        Assert.Equal("BackoffLimitExceeded", failed.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(TestCluster.Namespace, labelSelector: "job-name=retry", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, pods.Items.Count);
    }

    [Fact]
    public async Task Failing_pod_of_a_job_with_a_distant_deadline_fails_it_on_the_backoff_limit()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("fails-early", "exit 1", j => j.Spec.ActiveDeadlineSeconds = 600));

        var failed = await cluster.WaitForJobAsync("fails-early", TestCluster.IsFinished);

        Assert.Equal("BackoffLimitExceeded", failed.Status.Conditions.Single(c => c.Type == "Failed").Reason);
    }

    [Fact]
    public async Task Missing_configmap_leaves_the_container_in_CreateContainerConfigError()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("no-config", "true", j =>
            j.Spec.Template.Spec.Containers[0].EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "does-not-exist" } }]));

        var pod = await cluster.WaitForPodAsync("no-config", p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "CreateContainerConfigError");

        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal("configmap \"does-not-exist\" not found", pod.Status.ContainerStatuses[0].State.Waiting.Message);
    }
}
