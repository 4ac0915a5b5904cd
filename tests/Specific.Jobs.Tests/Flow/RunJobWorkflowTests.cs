using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Testing;
using Specific.Jobs.Tests.Flow.Fakes;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Specific.Jobs.Tests.Flow;

/// <summary>
/// The RunJob workflow on a real Temporal server, with the real activities over fakes of the stores and the adapter.
/// Needs TEMPORAL_ADDRESS (e.g. <c>temporal server start-dev</c> and TEMPORAL_ADDRESS=localhost:7233); skips without.
/// The tests of this class run one after another, so one worker at a time polls the shared task queue.
/// </summary>
public sealed class RunJobWorkflowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly InMemoryJobStore jobs = new();
    private readonly InMemoryLogStore logs = new();
    private readonly FakeKubernetesJobs kubernetes = new();

    [Fact]
    public async Task Workflow_runs_a_job_to_succeeded()
    {
        await WithWorkerAsync(async (client, launcher) =>
        {
            var job = await NewJobAsync();

            await launcher.StartAsync(job, TestContext.Current.CancellationToken);
            var result = await ResultOf(client, job.Id);

            Assert.Equal(new JobFlowResult(JobState.Succeeded, true, 0), result);
            Assert.Equal(JobState.Succeeded, jobs.Get(job.Id).State);
            Assert.Equal(["line 1", "line 2"], logs.TextOf(job.Id));
            Assert.Equal(
                FlowStatus.Completed,
                (await launcher.DescribeAsync(job.Id, TestContext.Current.CancellationToken)).Status);
        });
    }

    [Fact]
    public async Task Workflow_records_a_non_zero_exit_as_failed()
    {
        kubernetes.Follow = FakeKubernetesJobs.Command(lines: 1, perLine: TimeSpan.Zero, exitCode: 3);
        await WithWorkerAsync(async (client, launcher) =>
        {
            var job = await NewJobAsync();

            await launcher.StartAsync(job, TestContext.Current.CancellationToken);
            var result = await ResultOf(client, job.Id);

            Assert.Equal(JobState.Failed, result.State);
            var stored = jobs.Get(job.Id);
            Assert.Equal(3, stored.ExitCode);
            Assert.Equal("The command exited with code 3.", stored.FailureReason);
        });
    }

    [Fact]
    public async Task Workflow_does_not_retry_a_rejection_and_records_its_reason()
    {
        kubernetes.Prepare = (_, _) => throw new JobRejectedException("Service `web` is not deployed in production.", "NotDeployed");
        await WithWorkerAsync(async (client, launcher) =>
        {
            var job = await NewJobAsync();

            await launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await ResultOf(client, job.Id);

            Assert.Equal(1, kubernetes.CountOf("prepare"));
            var stored = jobs.Get(job.Id);
            Assert.Equal(JobState.Failed, stored.State);
            Assert.Equal("Service `web` is not deployed in production.", stored.FailureReason);
        });
    }

    [Fact]
    public async Task Cancelled_workflow_deletes_the_kubernetes_job_and_records_cancelled()
    {
        var following = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        kubernetes.Follow = async (_, observer, cancellationToken) =>
        {
            await observer.OnRunningAsync(null, null, cancellationToken);
            following.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new JobEnd(true, 0, null);
        };
        await WithWorkerAsync(async (client, launcher) =>
        {
            var job = await NewJobAsync();

            await launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await following.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
            await launcher.CancelAsync(job.Id, TestContext.Current.CancellationToken);
            var ended = await Assert.ThrowsAsync<WorkflowFailedException>(() => ResultOf(client, job.Id));

            Assert.IsType<CanceledFailureException>(ended.InnerException);
            Assert.Equal(1, kubernetes.CountOf($"delete production/{JobIds.KubernetesJobName(job.Id)}"));
            Assert.Equal(JobState.Cancelled, jobs.Get(job.Id).State);
            Assert.Equal(
                FlowStatus.Cancelled,
                (await launcher.DescribeAsync(job.Id, TestContext.Current.CancellationToken)).Status);
        });
    }

    [Fact]
    public async Task Duplicate_start_is_refused_before_and_after_the_first_flow_ends()
    {
        kubernetes.Follow = FakeKubernetesJobs.Command(lines: 3, perLine: TimeSpan.FromMilliseconds(200), exitCode: 0);
        await WithWorkerAsync(async (client, launcher) =>
        {
            var job = await NewJobAsync();

            await launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await ResultOf(client, job.Id);
            await launcher.StartAsync(job, TestContext.Current.CancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

            Assert.Equal(1, kubernetes.CountOf("create"));
            Assert.Equal(JobState.Succeeded, jobs.Get(job.Id).State);
        });
    }

    private async Task WithWorkerAsync(Func<ITemporalClient, TemporalJobLauncher, Task> test)
    {
        var address = Environment.GetEnvironmentVariable("TEMPORAL_ADDRESS");
        if (string.IsNullOrEmpty(address))
        {
            Assert.Skip(
                "TEMPORAL_ADDRESS is not set: start a dev server with `temporal server start-dev` and set "
                + "TEMPORAL_ADDRESS=localhost:7233 to run workflow tests");
        }

        var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(address) { Namespace = "default" });
        var activities = new JobActivities(
            jobs,
            logs,
            kubernetes,
            Options.Create(new EnvironmentsOptions()),
            TimeProvider.System,
            NullLogger<JobActivities>.Instance);
        var options = new TemporalWorkerOptions(JobTemporal.TaskQueue)
        {
            MaxHeartbeatThrottleInterval = JobTemporal.MaxHeartbeatThrottleInterval,
        }
            .AddAllActivities(activities)
            .AddWorkflow<RunJobWorkflow>();
        using var worker = new TemporalWorker(client, options);
        var launcher = new TemporalJobLauncher(client, jobs, TimeProvider.System, NullLogger<TemporalJobLauncher>.Instance);
        await worker.ExecuteAsync(() => test(client, launcher), TestContext.Current.CancellationToken);
    }

    private Task<JobRecord> NewJobAsync() => jobs.CreateAsync(
        new JobRequest("web", "production", "echo hi", null, new JobOrigin(JobOrigin.Slack)),
        TestContext.Current.CancellationToken);

    private static Task<JobFlowResult> ResultOf(ITemporalClient client, string jobId) =>
        client.GetWorkflowHandle(JobIds.WorkflowId(jobId)).GetResultAsync<JobFlowResult>().WaitAsync(Patience);
}
