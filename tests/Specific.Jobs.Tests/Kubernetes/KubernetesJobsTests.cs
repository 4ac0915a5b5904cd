using k8s;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Kubernetes;

/// <summary>The real KubernetesClient adapter against the cluster simulator over HTTP.</summary>
public sealed class KubernetesJobsTests
{
    private const string Manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: production }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: production, labels: { app: web } }
        spec:
          replicas: 0
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers:
                - name: web
                  image: registry.example.com/web:1.4.2
                  command: [sh, -c, "sleep 3600"]
                  env: [{ name: GREETING, value: hello-from-web }]
                  ports: [{ containerPort: 8080 }]
                  readinessProbe: { httpGet: { path: /ready, port: 8080 } }
                - name: envoy
                  image: envoyproxy/envoy:v1.31
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: broken-image, namespace: production }
        spec:
          replicas: 0
          selector: { matchLabels: { app: broken-image } }
          template:
            metadata:
              labels: { app: broken-image }
              annotations: { sandbox.specific.dev/simulate: image-pull-backoff }
            spec:
              containers: [{ name: app, image: registry.example.com/does-not-exist:0.0.1 }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: distroless, namespace: production }
        spec:
          replicas: 0
          selector: { matchLabels: { app: distroless } }
          template:
            metadata:
              labels: { app: distroless }
              annotations: { sandbox.specific.dev/simulate: no-shell }
            spec:
              containers: [{ name: app, image: gcr.io/distroless/static:nonroot }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: gpu-only, namespace: production }
        spec:
          replicas: 0
          selector: { matchLabels: { app: gpu-only } }
          template:
            metadata: { labels: { app: gpu-only } }
            spec:
              nodeSelector: { accelerator: nvidia-h100 }
              containers: [{ name: app, image: registry.example.com/trainer:3 }]
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: uploads-data
          namespace: production
          annotations: { sandbox.specific.dev/attached-to-node: sandbox-node-b }
        spec:
          accessModes: [ReadWriteOnce]
          resources: { requests: { storage: 1Gi } }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: uploads, namespace: production }
        spec:
          replicas: 0
          selector: { matchLabels: { app: uploads } }
          template:
            metadata: { labels: { app: uploads } }
            spec:
              containers:
                - name: app
                  image: registry.example.com/uploads:2
                  volumeMounts: [{ name: data, mountPath: /data }]
              volumes:
                - name: data
                  persistentVolumeClaim: { claimName: uploads-data }
        """;

    [Fact]
    public async Task Job_runs_with_the_services_environment_and_succeeds()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var (end, observer) = await cluster.RunAsync("web", "echo \"$GREETING\"; echo second line");

        Assert.Equal(new JobEnd(true, 0, null), end with { Ran = null });
        Assert.Equal(["hello-from-web", "second line"], observer.Texts);
        Assert.Equal([1L, 2L], observer.Lines.Select(l => l.Number));
        var image = Assert.Single(observer.RunningImages);
        Assert.StartsWith("registry.example.com/web:1.4.2", image, StringComparison.Ordinal);
        Assert.True(observer.Progress[^1].Running);
        Assert.Equal(2, observer.Progress[^1].LastLogLine);
    }

    [Fact]
    public async Task Follow_reports_the_containers_own_start_and_finish_times()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var (end, observer) = await cluster.RunAsync("web", "sleep 1");

        var ran = Assert.IsType<RunTimes>(end.Ran);
        Assert.Equal(ran.StartedAt, Assert.Single(observer.RunningSince));
        Assert.True(ran.FinishedAt - ran.StartedAt >= TimeSpan.FromSeconds(1), $"ran from {ran.StartedAt:O} to {ran.FinishedAt:O}");
    }

    [Fact]
    public async Task Prepared_job_says_what_was_left_out_of_the_pod()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var prepared = await cluster.PrepareAsync("web", "true");

        Assert.Equal("web", prepared.Container);
        Assert.Equal("registry.example.com/web:1.4.2", prepared.Image);
        Assert.Equal(["sidecar `envoy` not replicated", "ports and readiness probe dropped"], prepared.Notes);
        Assert.Equal(SimulatedCluster.Environment, prepared.Environment);
        Assert.Contains("\"command\":[\"sh\",\"-c\",\"true\"]", prepared.JobJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_exiting_3_fails_with_its_exit_code()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var (end, observer) = await cluster.RunAsync("web", "echo about to fail; exit 3");

        Assert.Equal(new JobEnd(false, 3, "The command exited with code 3."), end with { Ran = null });
        Assert.Equal(["about to fail"], observer.Texts);
    }

    [Fact]
    public async Task Deleting_the_job_mid_run_stops_the_command_and_ends_the_follow()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.StartJobAsync("web", "echo started; sleep 30; echo never");
        var observer = new RecordingObserver();
        var follow = cluster.FollowAsync(job, observer);

        await observer.WaitForLineAsync("started");
        await cluster.Jobs.DeleteAsync(job.Namespace, job.JobName, TestContext.Current.CancellationToken);
        var end = await follow.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.False(end.Succeeded);
        Assert.Null(end.ExitCode);
        Assert.Equal(PodDiagnosis.JobDeletedReason(job.JobName), end.FailureReason);
        Assert.DoesNotContain("never", observer.Texts);
        await cluster.WaitForNoPodsAsync(job, TimeSpan.FromSeconds(15));
        // Deleting again is not an error: the Job is already gone.
        await cluster.Jobs.DeleteAsync(job.Namespace, job.JobName, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Job_is_found_by_its_job_id_label_until_it_is_deleted()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.StartJobAsync("web", "sleep 30");
        var other = await cluster.PrepareAsync("web", "true");
        var ct = TestContext.Current.CancellationToken;

        var found = await cluster.Jobs.FindAsync(SimulatedCluster.Environment, job.Namespace, job.JobId, ct);
        var neverCreated = await cluster.Jobs.FindAsync(SimulatedCluster.Environment, other.Namespace, other.JobId, ct);
        await cluster.Jobs.DeleteAsync(job.Namespace, job.JobName, ct);
        await cluster.WaitForNoPodsAsync(job, TimeSpan.FromSeconds(15));
        var afterDelete = await cluster.Jobs.FindAsync(SimulatedCluster.Environment, job.Namespace, job.JobId, ct);

        Assert.Equal(job.JobName, found);
        Assert.Null(neverCreated);
        Assert.Null(afterDelete);
    }

    [Fact]
    public async Task Service_that_is_not_deployed_is_rejected_with_what_to_do()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var error = await Assert.ThrowsAsync<JobRejectedException>(() => cluster.PrepareAsync("billing", "echo hi"));

        Assert.Equal("NotDeployed", error.Kind);
        Assert.Equal(
            "Service `billing` is not deployed in environment `production` (no Deployment `billing` in namespace `production`). " +
            "Deploy it first, then run the job again.",
            error.Message);
    }

    [Fact]
    public async Task ReadWriteOnce_volume_attached_to_another_node_fails_with_the_pvc_caveat()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var (end, observer) = await cluster.RunAsync("uploads", "ls /data");

        Assert.False(end.Succeeded);
        Assert.StartsWith("The volume `uploads-data` is ReadWriteOnce and already attached to another node", end.FailureReason, StringComparison.Ordinal);
        Assert.EndsWith("the job cannot start while the service runs there. See the PVC caveat.", end.FailureReason, StringComparison.Ordinal);
        Assert.Empty(observer.RunningImages);
    }

    [Fact]
    public async Task Image_that_cannot_be_pulled_fails_after_the_grace_period()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var (end, observer) = await cluster.RunAsync("broken-image", "echo hi");

        Assert.False(end.Succeeded);
        Assert.StartsWith("The image `registry.example.com/does-not-exist:0.0.1` cannot be pulled (", end.FailureReason, StringComparison.Ordinal);
        Assert.Contains("imagePullSecrets", end.FailureReason, StringComparison.Ordinal);
        Assert.Empty(observer.RunningImages);
    }

    [Fact]
    public async Task Pod_that_no_node_can_take_fails_as_unschedulable()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var (end, _) = await cluster.RunAsync("gpu-only", "nvidia-smi");

        Assert.False(end.Succeeded);
        Assert.StartsWith("The pod cannot be scheduled: 0/2 nodes are available", end.FailureReason, StringComparison.Ordinal);
        Assert.EndsWith("Check the service's nodeSelector, affinity, tolerations and resource requests against the cluster's nodes.", end.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pod_stuck_pending_ends_at_the_start_bound()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests, options =>
        {
            options.UnschedulableGrace = TimeSpan.FromHours(1);
            options.StartTimeout = TimeSpan.FromSeconds(2);
        });

        var (end, _) = await cluster.RunAsync("gpu-only", "nvidia-smi");

        Assert.False(end.Succeeded);
        Assert.StartsWith("The pod did not start within 2 seconds (last seen: Unschedulable: 0/2 nodes are available", end.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_without_sh_fails_saying_so()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var (end, observer) = await cluster.RunAsync("distroless", "echo hi");

        Assert.Equal(new JobEnd(false, null, PodDiagnosis.NoShellReason), end with { Ran = null });
        Assert.Empty(observer.RunningImages);
        Assert.Empty(observer.Lines);
    }

    [Fact]
    public async Task Job_past_its_deadline_fails_as_deadline_exceeded()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.Jobs.PrepareAsync(
            new PrepareJobRequest(Specific.Jobs.Domain.JobIds.New(), "web", SimulatedCluster.Environment, SimulatedCluster.Namespace, "echo started; sleep 30")
            {
                ActiveDeadlineSeconds = 3,
            },
            TestContext.Current.CancellationToken);
        await cluster.Jobs.CreateAsync(job, TestContext.Current.CancellationToken);
        var observer = new RecordingObserver();

        var end = await cluster.FollowAsync(job, observer).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(new JobEnd(false, null, PodDiagnosis.DeadlineReason(3)), end with { Ran = null });
        Assert.StartsWith("The job timed out after 3 seconds:", end.FailureReason, StringComparison.Ordinal);
        Assert.Equal(["started"], observer.Texts);
    }

    [Fact]
    public async Task Follow_survives_dropped_watches()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.StartJobAsync("web", "echo one; sleep 2; echo two");
        var observer = new RecordingObserver();
        var follow = cluster.FollowAsync(job, observer);

        await observer.WaitForLineAsync("one");
        cluster.Simulator.DropWatches();
        var end = await cluster.EndOfAsync(follow, observer);

        Assert.Equal(new JobEnd(true, 0, null), end with { Ran = null });
        Assert.Equal(["one", "two"], observer.Texts);
    }

    [Fact]
    public async Task A_watch_the_server_ends_before_any_event_is_watched_again_from_its_version_without_listing()
    {
        // Every watch ends after a second; while the command waits on its gate, nothing changes, so watches end empty.
        await using var cluster = await SimulatedCluster.StartAsync(Manifests, options => options.WatchTimeoutSeconds = 1);
        var gate = Path.Combine(Path.GetTempPath(), $"follow-quiet-{Guid.NewGuid():N}");
        var job = await cluster.StartJobAsync("web", $"echo one; while [ ! -e {gate} ]; do sleep 0.05; done; echo two");
        var observer = new RecordingObserver();
        var follow = cluster.FollowAsync(job, observer);
        await observer.WaitForLineAsync("one");

        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTimeOffset.UtcNow < deadline && !cluster.Log.Messages.Any(IsFailure)
               && !(QuietEnds(cluster, "pods") >= 2 && QuietEnds(cluster, "jobs") >= 2))
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        await File.WriteAllTextAsync(gate, "", TestContext.Current.CancellationToken);
        var end = await cluster.EndOfAsync(follow, observer);
        File.Delete(gate);

        var messages = cluster.Log.Messages;
        Assert.False(messages.Any(IsFailure), "A watch that ended empty was taken for a failure:\n" + string.Join("\n", messages));
        Assert.True(QuietEnds(cluster, "pods") >= 2 && QuietEnds(cluster, "jobs") >= 2, "The watches were not ended and opened again:\n" + string.Join("\n", messages));
        Assert.Equal(new JobEnd(true, 0, null), end with { Ran = null });
        Assert.Equal(["one", "two"], observer.Texts);

        static bool IsFailure(string message) => message.Contains("failed; listing again", StringComparison.Ordinal);
        static int QuietEnds(SimulatedCluster cluster, string resource) =>
            cluster.Log.Messages.Count(m => m.StartsWith($"Watch of {resource} for ", StringComparison.Ordinal) && m.Contains(" ended; watching again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Follow_lists_again_after_410_Gone()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        // The command goes on only once the watches are dropped: a fixed sleep let a loaded machine end the job before
        // that, and the follow then saw the end on its first watch, never re-watching into 410 Gone.
        var gate = Path.Combine(Path.GetTempPath(), $"follow-410-{Guid.NewGuid():N}");
        var job = await cluster.StartJobAsync("web", $"echo one; while [ ! -e {gate} ]; do sleep 0.05; done; echo two; exit 4");
        var observer = new RecordingObserver();
        var follow = cluster.FollowAsync(job, observer);

        await observer.WaitForLineAsync("one");
        // Move the cluster's resourceVersion on, forget the history, and drop the watches: re-watching from the
        // version the follow last saw now gets 410 Gone.
        await cluster.Simulator.ApplyYamlAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: unrelated, namespace: production }
            data: { k: v }
            """, TestContext.Current.CancellationToken);
        cluster.Simulator.CompactHistory();
        cluster.Simulator.DropWatches();
        await File.WriteAllTextAsync(gate, "", TestContext.Current.CancellationToken);
        var end = await cluster.EndOfAsync(follow, observer);
        File.Delete(gate);

        Assert.Equal(new JobEnd(false, 4, "The command exited with code 4."), end with { Ran = null });
        Assert.Equal(["one", "two"], observer.Texts);
        var messages = cluster.Log.Messages;
        Assert.True(messages.Any(m => m.Contains("410 Gone", StringComparison.Ordinal)), "No watch was told 410 Gone:\n" + string.Join("\n", messages));
    }

    [Fact]
    public async Task Follow_resumed_from_a_checkpoint_delivers_no_duplicate_and_no_missing_line()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.StartJobAsync(
            "web", "for i in $(seq 1 300); do echo line-$i; done; sleep 2; for i in $(seq 301 400); do echo line-$i; done");
        var first = new RecordingObserver();
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            var follow = cluster.FollowAsync(job, first, cancellationToken: stop.Token);
            await first.WaitForLineAsync("line-300");
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow);
        }
        var checkpoint = first.Progress[^1];

        var second = new RecordingObserver();
        var end = await cluster.FollowAsync(job, second, checkpoint).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var stored = first.Lines.Where(l => l.Number <= checkpoint.LastLogLine).Concat(second.Lines).ToList();
        Assert.Equal(new JobEnd(true, 0, null), end with { Ran = null });
        Assert.Equal(Enumerable.Range(1, 400).Select(i => $"line-{i}"), stored.Select(l => l.Text));
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), stored.Select(l => l.Number));
        Assert.Empty(second.RunningImages); // Running was already reported before the checkpoint.
        Assert.All(first.BatchSizes.Concat(second.BatchSizes), size => Assert.InRange(size, 1, cluster.Options.LogBatchMaxLines));
    }

    [Fact]
    public async Task Creating_the_same_job_twice_counts_as_created_but_a_stranger_with_its_name_is_a_conflict()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var job = await cluster.StartJobAsync("web", "sleep 5");

        await cluster.Jobs.CreateAsync(job, TestContext.Current.CancellationToken);

        var stranger = await cluster.PrepareAsync("web", "echo hi", jobId: "j-stranger");
        await cluster.Simulator.ApplyYamlAsync($$"""
            apiVersion: batch/v1
            kind: Job
            metadata: { name: {{stranger.JobName}}, namespace: production, labels: { jobs.specific.dev/job-id: j-someone } }
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{ name: app, image: busybox, command: [sh, -c, "true"] }]
            """, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<JobRejectedException>(() => cluster.Jobs.CreateAsync(stranger, TestContext.Current.CancellationToken));
        Assert.Equal("Conflict", error.Kind);
        Assert.Contains("`j-someone`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_catalog_lists_the_environments_deployments_sorted()
    {
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);

        var services = await cluster.Catalog.ListServicesAsync("production", TestContext.Current.CancellationToken);

        Assert.Equal(["broken-image", "distroless", "gpu-only", "uploads", "web"], services);
    }
}
