using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Testing;
using Specific.Jobs.Tests.Kubernetes;
using Specific.Sandbox.TemporalStandIn;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Specific.Jobs.Tests.Flow;

/// <summary>
/// The real RunJob workflow and JobActivities, on the Temporal stand-in (or on the server TEMPORAL_ADDRESS names, e.g.
/// <c>temporal server start-dev</c> and TEMPORAL_ADDRESS=localhost:7233), with the real KubernetesClient adapter
/// against the cluster simulator. Every history the tests produce is replayed with the workflow's code.
/// The tests of this class run one after another, so one worker at a time polls the shared task queue of a real server.
/// </summary>
public sealed class RunJobWorkflowTests
{
    private const string Manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: production }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: production }
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
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly InMemoryJobStore _jobs = new();
    private readonly InMemoryLogStore _logs = new();

    [Fact]
    public async Task Workflow_runs_a_job_to_succeeded()
    {
        await WithWorkerAsync(async flow =>
        {
            var job = await NewJobAsync("echo line 1; echo line 2");

            await flow.Launcher.StartAsync(job, TestContext.Current.CancellationToken);
            var result = await flow.ResultOf(job.Id);

            Assert.Equal(new JobFlowResult(JobState.Succeeded, true, 0), result);
            Assert.Equal(JobState.Succeeded, _jobs.Get(job.Id).State);
            Assert.Equal(["line 1", "line 2"], _logs.TextOf(job.Id));
            Assert.Equal(FlowStatus.Completed, (await flow.Launcher.DescribeAsync(job.Id, TestContext.Current.CancellationToken)).Status);
            await flow.ReplayAsync(job.Id);
        });
    }

    [Fact]
    public async Task Workflow_records_a_non_zero_exit_as_failed()
    {
        await WithWorkerAsync(async flow =>
        {
            var job = await NewJobAsync("echo about to fail; exit 3");

            await flow.Launcher.StartAsync(job, TestContext.Current.CancellationToken);
            var result = await flow.ResultOf(job.Id);

            Assert.Equal(JobState.Failed, result.State);
            var stored = _jobs.Get(job.Id);
            Assert.Equal(3, stored.ExitCode);
            Assert.Equal("The command exited with code 3.", stored.FailureReason);
            await flow.ReplayAsync(job.Id);
        });
    }

    [Fact]
    public async Task Workflow_does_not_retry_a_rejection_and_records_its_reason()
    {
        await WithWorkerAsync(async flow =>
        {
            var job = await NewJobAsync("echo hi", service: "billing");

            await flow.Launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await flow.ResultOf(job.Id);

            var stored = _jobs.Get(job.Id);
            Assert.Equal(JobState.Failed, stored.State);
            Assert.StartsWith("Service `billing` is not deployed in environment `production`", stored.FailureReason, StringComparison.Ordinal);
            var history = await flow.ReplayAsync(job.Id);
            var prepare = Assert.Single(history.Events, e => e.ActivityTaskScheduledEventAttributes?.ActivityType.Name == JobTemporal.PrepareActivity).EventId;
            var failed = Assert.Single(history.Events, e => e.ActivityTaskFailedEventAttributes?.ScheduledEventId == prepare).ActivityTaskFailedEventAttributes;
            Assert.Equal(Temporalio.Api.Enums.V1.RetryState.NonRetryableFailure, failed.RetryState);
            Assert.Equal(1, history.Events.Single(e => e.EventId == failed.StartedEventId).ActivityTaskStartedEventAttributes.Attempt);
        });
    }

    [Fact]
    public async Task Cancelled_workflow_deletes_the_kubernetes_job_and_records_cancelled()
    {
        await WithWorkerAsync(async flow =>
        {
            var job = await NewJobAsync("echo started; sleep 120");

            await flow.Launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await UntilAsync(() => Task.FromResult(_jobs.Get(job.Id).State == JobState.Running), "the job to be running");
            await flow.Launcher.CancelAsync(job.Id, TestContext.Current.CancellationToken);
            var ended = await Assert.ThrowsAsync<WorkflowFailedException>(() => flow.ResultOf(job.Id));

            Assert.IsType<CanceledFailureException>(ended.InnerException);
            Assert.Equal(JobState.Cancelled, _jobs.Get(job.Id).State);
            Assert.Equal(FlowStatus.Cancelled, (await flow.Launcher.DescribeAsync(job.Id, TestContext.Current.CancellationToken)).Status);
            await UntilAsync(
                async () => !(await flow.Cluster.Client.BatchV1.ListNamespacedJobAsync(SimulatedCluster.Namespace, cancellationToken: TestContext.Current.CancellationToken))
                    .Items.Any(k => k.Metadata.Name == JobIds.KubernetesJobName(job.Id)),
                "the Kubernetes Job to be deleted");
            await flow.ReplayAsync(job.Id);
        });
    }

    [Fact]
    public async Task Duplicate_start_is_refused_before_and_after_the_first_flow_ends()
    {
        await WithWorkerAsync(async flow =>
        {
            var job = await NewJobAsync("echo one; sleep 0.2; echo two");

            await flow.Launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await flow.Launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await flow.ResultOf(job.Id);
            await flow.Launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() => flow.Client.StartWorkflowAsync(
                JobTemporal.WorkflowType,
                [RunJobInput.For(job)],
                new WorkflowOptions(JobIds.WorkflowId(job.Id), JobTemporal.TaskQueue) { IdReusePolicy = Temporalio.Api.Enums.V1.WorkflowIdReusePolicy.RejectDuplicate }));

            Assert.Equal(JobState.Succeeded, _jobs.Get(job.Id).State);
            Assert.Equal(["one", "two"], _logs.TextOf(job.Id));
            var runs = await flow.Client.ListWorkflowsAsync($"WorkflowId = '{JobIds.WorkflowId(job.Id)}'").CountAsync(TestContext.Current.CancellationToken);
            Assert.Equal(1, runs);
            await flow.ReplayAsync(job.Id);
        });
    }

    private async Task WithWorkerAsync(Func<FlowUnderTest, Task> test)
    {
        var address = Environment.GetEnvironmentVariable("TEMPORAL_ADDRESS");
        await using var standIn = string.IsNullOrEmpty(address)
            ? await TemporalStandIn.StartAsync(new TemporalStandInOptions { Url = "http://127.0.0.1:0" }, ct: TestContext.Current.CancellationToken)
            : null;
        var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(standIn?.TargetHost ?? address!) { Namespace = "default" });
        await using var cluster = await SimulatedCluster.StartAsync(Manifests);
        var activities = new JobActivities(
            _jobs,
            _logs,
            cluster.Jobs,
            Options.Create(new EnvironmentsOptions { Targets = { [SimulatedCluster.Environment] = new EnvironmentTarget { Namespace = SimulatedCluster.Namespace } } }),
            TimeProvider.System,
            NullLogger<JobActivities>.Instance);
        var options = new TemporalWorkerOptions(JobTemporal.TaskQueue)
        {
            MaxHeartbeatThrottleInterval = JobTemporal.MaxHeartbeatThrottleInterval,
        }
            .AddAllActivities(activities)
            .AddWorkflow<RunJobWorkflow>();
        using var worker = new TemporalWorker(client, options);
        var launcher = new TemporalJobLauncher(client, Options.Create(new TemporalOptions()), _jobs, TimeProvider.System, NullLogger<TemporalJobLauncher>.Instance);
        await worker.ExecuteAsync(() => test(new FlowUnderTest(client, launcher, cluster)), TestContext.Current.CancellationToken);
    }

    private Task<JobRecord> NewJobAsync(string command, string service = "web") => _jobs.CreateAsync(
        new JobRequest(service, SimulatedCluster.Environment, command, null, new JobOrigin(JobOrigin.Slack)),
        TestContext.Current.CancellationToken);

    /// <summary>Polls the condition until it holds; fails the test past a generous deadline.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Waited {Patience.TotalSeconds:0} s for {what}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The client and launcher the bot uses, and the cluster its activities run Jobs in.</summary>
    private sealed record FlowUnderTest(TemporalClient Client, TemporalJobLauncher Launcher, SimulatedCluster Cluster)
    {
        public Task<JobFlowResult> ResultOf(string jobId) =>
            Client.GetWorkflowHandle(JobIds.WorkflowId(jobId)).GetResultAsync<JobFlowResult>().WaitAsync(Patience, TestContext.Current.CancellationToken);

        /// <summary>Replays the job's history with RunJob's code: what the server recorded must be deterministic there.</summary>
        public async Task<WorkflowHistory> ReplayAsync(string jobId)
        {
            var history = await Client.GetWorkflowHandle(JobIds.WorkflowId(jobId)).FetchHistoryAsync();
            var replayer = new WorkflowReplayer(new WorkflowReplayerOptions().AddWorkflow<RunJobWorkflow>());
            var result = await replayer.ReplayWorkflowAsync(history);
            Assert.Null(result.ReplayFailure);
            return history;
        }
    }
}
