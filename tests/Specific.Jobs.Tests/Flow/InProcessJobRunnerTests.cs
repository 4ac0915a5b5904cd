using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;
using Specific.Jobs.Tests.Flow.Fakes;

namespace Specific.Jobs.Tests.Flow;

/// <summary>The in-process runner with fakes of the stores and the adapter: retries, one flow per job, cancel, restart.</summary>
public sealed class InProcessJobRunnerTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly InMemoryJobStore _jobs = new();
    private readonly InMemoryLogStore _logs = new();
    private readonly FakeKubernetesJobs _kubernetes = new();
    private readonly List<ServiceProvider> _providers = [];

    [Fact]
    public void Engine_in_process_mode_registers_the_runner_as_launcher_and_hosted_service()
    {
        var provider = Provider();

        var runner = provider.GetRequiredService<InProcessJobRunner>();
        Assert.Same(runner, provider.GetRequiredService<IJobLauncher>());
        Assert.Contains(runner, provider.GetServices<IHostedService>());
    }

    [Fact]
    public async Task Started_job_runs_to_succeeded_through_queued_and_running()
    {
        var runner = Runner();
        var job = await NewJobAsync();

        await runner.StartAsync(job, TestContext.Current.CancellationToken);
        var result = await EndOf(runner, job.Id);

        Assert.Equal(new JobFlowResult(JobState.Succeeded, true, 0), result);
        Assert.Equal(
            [JobState.Queued, JobState.Running, JobState.Succeeded],
            _jobs.Transitions.Select(transition => transition.To));
        Assert.Equal(["line 1", "line 2"], _logs.TextOf(job.Id));
        Assert.Equal(
            new FlowDescription(job.Id, FlowStatus.Completed, "succeeded"),
            await runner.DescribeAsync(job.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Second_start_of_a_job_starts_no_second_flow()
    {
        var runner = Runner();
        var job = await NewJobAsync();
        _kubernetes.Follow = FakeKubernetesJobs.Command(lines: 3, perLine: TimeSpan.FromMilliseconds(50), exitCode: 0);

        await runner.StartAsync(job, TestContext.Current.CancellationToken);
        await runner.StartAsync(job, TestContext.Current.CancellationToken);
        await EndOf(runner, job.Id);
        await runner.StartAsync(job, TestContext.Current.CancellationToken);

        Assert.Equal(1, _kubernetes.CountOf("create"));
        Assert.Equal(1, _kubernetes.CountOf("follow"));
    }

    [Fact]
    public async Task Retryable_failure_is_retried_and_the_job_still_succeeds()
    {
        var runner = Runner();
        var job = await NewJobAsync();
        var failures = 1;
        _kubernetes.Create = (_, _) => Interlocked.Decrement(ref failures) >= 0
            ? throw new HttpRequestException("The API server is unavailable.")
            : Task.CompletedTask;

        await runner.StartAsync(job, TestContext.Current.CancellationToken);
        var result = await EndOf(runner, job.Id);

        Assert.Equal(JobState.Succeeded, result.State);
        Assert.Equal(2, _kubernetes.CountOf("create"));
    }

    [Fact]
    public async Task Rejection_is_not_retried_and_the_job_fails_with_its_reason()
    {
        var runner = Runner();
        var job = await NewJobAsync();
        _kubernetes.Prepare = (_, _) => throw new JobRejectedException("Service `web` is not deployed in production.", "NotDeployed");

        await runner.StartAsync(job, TestContext.Current.CancellationToken);
        await EndOf(runner, job.Id);

        Assert.Equal(1, _kubernetes.CountOf("prepare"));
        Assert.Equal(0, _kubernetes.CountOf("create"));
        var stored = _jobs.Get(job.Id);
        Assert.Equal(JobState.Failed, stored.State);
        Assert.Equal("Service `web` is not deployed in production.", stored.FailureReason);
    }

    [Fact]
    public async Task Follow_that_breaks_is_retried_from_its_last_checkpoint()
    {
        var runner = Runner();
        var job = await NewJobAsync();
        var command = FakeKubernetesJobs.Command(lines: 4, perLine: TimeSpan.Zero, exitCode: 0);
        var broken = 0;
        _kubernetes.Follow = async (request, observer, cancellationToken) =>
        {
            if (Interlocked.Increment(ref broken) > 1)
            {
                return await command(request, observer, cancellationToken);
            }

            await observer.OnRunningAsync(FakeKubernetesJobs.ImageWithDigest, null, cancellationToken);
            var line = new LogLine(1, DateTimeOffset.UnixEpoch.AddSeconds(1), LogStream.Output, "line 1");
            await observer.OnLogLinesAsync([line], cancellationToken);
            observer.OnProgress(new FollowCheckpoint(1, line.Timestamp, Running: true));
            throw new IOException("The watch connection dropped.");
        };

        await runner.StartAsync(job, TestContext.Current.CancellationToken);
        await EndOf(runner, job.Id);

        Assert.Equal(
            [0L, 1L],
            _kubernetes.Follows.Select(follow => follow.Checkpoint.LastLogLine));
        Assert.Equal(["line 1", "line 2", "line 3", "line 4"], _logs.TextOf(job.Id));
        Assert.Equal(JobState.Succeeded, _jobs.Get(job.Id).State);
    }

    [Fact]
    public async Task Cancel_mid_follow_deletes_the_kubernetes_job_and_records_cancelled()
    {
        var runner = Runner();
        var job = await NewJobAsync();
        var following = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _kubernetes.Follow = async (_, observer, cancellationToken) =>
        {
            await observer.OnRunningAsync(null, null, cancellationToken);
            following.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new JobEnd(true, 0, null);
        };

        await runner.StartAsync(job, TestContext.Current.CancellationToken);
        await following.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.Equal(FlowStatus.Running, (await runner.DescribeAsync(job.Id, TestContext.Current.CancellationToken)).Status);
        await runner.CancelAsync(job.Id, TestContext.Current.CancellationToken);
        await EndOf(runner, job.Id);

        Assert.Equal(1, _kubernetes.CountOf($"delete production/{JobIds.KubernetesJobName(job.Id)}"));
        Assert.Equal(JobState.Cancelled, _jobs.Get(job.Id).State);
    }

    [Fact]
    public async Task Cancel_of_a_pending_job_with_no_flow_records_cancelled_without_touching_kubernetes()
    {
        var runner = Runner();
        var job = await NewJobAsync();

        await runner.CancelAsync(job.Id, TestContext.Current.CancellationToken);
        await EndOf(runner, job.Id);

        Assert.Equal(JobState.Cancelled, _jobs.Get(job.Id).State);
        Assert.Empty(_kubernetes.Calls);
    }

    [Fact]
    public async Task Unknown_job_is_described_as_unknown()
    {
        var description = await Runner().DescribeAsync("j-00000000", TestContext.Current.CancellationToken);

        Assert.Equal(FlowStatus.Unknown, description.Status);
    }

    [Fact]
    public async Task Stopped_runner_records_nothing_and_the_next_one_resumes_the_job_with_every_line_once()
    {
        var job = await NewJobAsync();
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var command = FakeKubernetesJobs.Command(lines: 6, perLine: TimeSpan.FromMilliseconds(20), exitCode: 0);
        _kubernetes.Follow = async (request, observer, cancellationToken) =>
        {
            if (request.Checkpoint.LastLogLine > 0)
            {
                return await command(request, observer, cancellationToken);
            }

            // The first runner sees three lines, then waits to be stopped.
            await command(request, new StopAfter(observer, 3, halfway), cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        };

        var first = Runner();
        await first.StartAsync(TestContext.Current.CancellationToken);
        await first.StartAsync(job, TestContext.Current.CancellationToken);
        await halfway.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        await first.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(JobState.Running, _jobs.Get(job.Id).State);
        Assert.Equal(FlowStatus.Stopped, (await first.DescribeAsync(job.Id, TestContext.Current.CancellationToken)).Status);
        Assert.Equal(0, _kubernetes.CountOf("delete"));

        var second = Runner();
        await second.StartAsync(TestContext.Current.CancellationToken);
        var result = await EndOf(second, job.Id);

        Assert.Equal(JobState.Succeeded, result.State);
        Assert.Equal(3, _kubernetes.Follows.Last().Checkpoint.LastLogLine);
        Assert.Equal(
            ["line 1", "line 2", "line 3", "line 4", "line 5", "line 6"],
            _logs.TextOf(job.Id));
    }

    [Fact]
    public async Task Start_re_attaches_pending_jobs_and_leaves_ended_ones_alone()
    {
        var pending = await NewJobAsync();
        var ended = _jobs.Put((await NewJobAsync()) with { State = JobState.Succeeded });

        var runner = Runner();
        await runner.StartAsync(TestContext.Current.CancellationToken);
        await EndOf(runner, pending.Id);

        Assert.Equal(JobState.Succeeded, _jobs.Get(pending.Id).State);
        Assert.Null(runner.FlowOf(ended.Id));
        Assert.Equal(1, _kubernetes.CountOf("create"));
    }

    [Fact]
    public async Task First_run_marks_the_create_before_creating_the_kubernetes_job()
    {
        var runner = Runner();
        var job = await NewJobAsync();
        DateTimeOffset? markedAtCreate = null;
        _kubernetes.Create = (_, _) =>
        {
            markedAtCreate = _jobs.Get(job.Id).CreateRequestedAt;
            return Task.CompletedTask;
        };

        await runner.StartAsync(job, TestContext.Current.CancellationToken);
        await EndOf(runner, job.Id);

        Assert.NotNull(markedAtCreate);
        Assert.Equal(0, _kubernetes.CountOf("find"));
    }

    [Fact]
    public async Task Resume_re_attaches_to_the_kubernetes_job_it_created_without_creating_another()
    {
        var job = await InterruptedJobAsync(kubernetesJobExists: true);

        var runner = Runner();
        await runner.StartAsync(TestContext.Current.CancellationToken);
        var result = await EndOf(runner, job.Id);

        Assert.Equal(JobState.Succeeded, result.State);
        Assert.Equal(0, _kubernetes.CountOf("create"));
        Assert.Equal(1, _kubernetes.CountOf($"find production/{job.Id}"));
        Assert.Equal(["line 1", "line 2"], _logs.TextOf(job.Id));
    }

    [Fact]
    public async Task Resume_whose_kubernetes_job_is_gone_ends_failed_with_a_reason_and_starts_nothing()
    {
        var job = await InterruptedJobAsync(kubernetesJobExists: false);

        var runner = Runner();
        await runner.StartAsync(TestContext.Current.CancellationToken);
        var result = await EndOf(runner, job.Id);

        Assert.Equal(JobState.Failed, result.State);
        Assert.Equal(0, _kubernetes.CountOf("create"));
        Assert.Equal(0, _kubernetes.CountOf("follow"));
        var reason = _jobs.Get(job.Id).FailureReason!;
        Assert.Contains($"`production/{JobIds.KubernetesJobName(job.Id)}` was gone", reason, StringComparison.Ordinal);
        Assert.Contains("not started again", reason, StringComparison.Ordinal);
        Assert.Contains("Run the job again", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_of_a_job_with_a_recorded_cancel_ends_cancelled_deletes_its_kubernetes_job_and_starts_nothing()
    {
        var interrupted = await InterruptedJobAsync(kubernetesJobExists: true);
        var job = _jobs.Put(interrupted with { CancelRequestedAt = DateTimeOffset.UtcNow, CancelRequestedBy = "U0ALICE" });

        var runner = Runner();
        await runner.StartAsync(TestContext.Current.CancellationToken);
        var result = await EndOf(runner, job.Id);

        Assert.Equal(JobState.Cancelled, result.State);
        Assert.Equal(JobState.Cancelled, _jobs.Get(job.Id).State);
        Assert.Equal(1, _kubernetes.CountOf($"delete production/{JobIds.KubernetesJobName(job.Id)}"));
        Assert.Equal(0, _kubernetes.CountOf("create"));
        Assert.Equal(0, _kubernetes.CountOf("follow"));
        Assert.Empty(_kubernetes.Existing);
    }

    [Fact]
    public async Task Pending_job_with_a_recorded_cancel_ends_cancelled_on_start_without_touching_kubernetes()
    {
        var created = await NewJobAsync();
        var job = _jobs.Put(created with { CancelRequestedAt = DateTimeOffset.UtcNow, CancelRequestedBy = "U0ALICE" });

        var runner = Runner();
        await runner.StartAsync(TestContext.Current.CancellationToken);
        await EndOf(runner, job.Id);

        Assert.Equal(JobState.Cancelled, _jobs.Get(job.Id).State);
        Assert.Empty(_kubernetes.Calls);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }

    private ServiceProvider Provider()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IJobStore>(_jobs);
        services.AddSingleton<ILogStore>(_logs);
        services.AddSingleton<IKubernetesJobs>(_kubernetes);
        services.AddJobEngine(new ConfigurationBuilder().Build(), JobEngineMode.InProcess);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    private InProcessJobRunner Runner() => Provider().GetRequiredService<InProcessJobRunner>();

    private Task<JobRecord> NewJobAsync() => _jobs.CreateAsync(
        new JobRequest("web", "production", "echo hi", null, new JobOrigin(JobOrigin.Slack)),
        TestContext.Current.CancellationToken);

    /// <summary>A running job whose earlier flow marked the create and died; its Kubernetes Job is there or gone.</summary>
    private async Task<JobRecord> InterruptedJobAsync(bool kubernetesJobExists)
    {
        var created = await NewJobAsync();
        var job = _jobs.Put(created with
        {
            State = JobState.Running,
            Version = 4,
            QueuedAt = created.CreatedAt,
            RunningAt = created.CreatedAt,
            CreateRequestedAt = created.CreatedAt,
        });
        if (kubernetesJobExists)
        {
            _kubernetes.Existing[job.Id] = JobIds.KubernetesJobName(job.Id);
        }

        return job;
    }

    private static async Task<JobFlowResult> EndOf(InProcessJobRunner runner, string jobId)
    {
        var flow = runner.FlowOf(jobId) ?? throw new InvalidOperationException($"No flow for {jobId}.");
        return await flow.WaitAsync(Patience, TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException($"The flow of {jobId} ended without an outcome.");
    }

    /// <summary>Passes lines through until <paramref name="limit"/>, then drops the rest and says so.</summary>
    private sealed class StopAfter(IFollowObserver inner, long limit, TaskCompletionSource reached) : IFollowObserver
    {
        public Task OnRunningAsync(string? image, DateTimeOffset? startedAt, CancellationToken cancellationToken) =>
            inner.OnRunningAsync(image, startedAt, cancellationToken);

        public async Task OnLogLinesAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
        {
            var kept = lines.Where(line => line.Number <= limit).ToList();
            if (kept.Count > 0)
            {
                await inner.OnLogLinesAsync(kept, cancellationToken);
            }

            if (lines.Any(line => line.Number >= limit))
            {
                reached.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }

        public void OnProgress(FollowCheckpoint checkpoint) => inner.OnProgress(checkpoint);
    }
}
