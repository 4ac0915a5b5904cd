using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Jobs.Testing;
using Specific.Jobs.Tests.Flow.Fakes;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Testing;

namespace Specific.Jobs.Tests.Flow;

/// <summary>The activities under Temporal's ActivityEnvironment: heartbeats, resume, cancellation, failure mapping.</summary>
public sealed class JobActivitiesTests
{
    private readonly InMemoryJobStore _jobs = new();
    private readonly InMemoryLogStore _logs = new();
    private readonly FakeKubernetesJobs _kubernetes = new();
    private readonly List<object?[]> _heartbeats = [];
    private readonly JobActivities _activities;

    public JobActivitiesTests()
    {
        var environments = new EnvironmentsOptions
        {
            Targets = { ["staging"] = new EnvironmentTarget { Namespace = "web-staging" } },
        };
        _activities = new JobActivities(
            _jobs, _logs, _kubernetes, Options.Create(environments), TimeProvider.System, NullLogger<JobActivities>.Instance);
    }

    [Fact]
    public async Task Follow_heartbeats_each_checkpoint_and_records_running_and_every_line()
    {
        var job = Queued();
        var env = Environment();
        _kubernetes.Follow = FakeKubernetesJobs.Command(lines: 3, perLine: TimeSpan.Zero, exitCode: 0);

        var end = await env.RunAsync(() => _activities.FollowAsync(FollowOf(job)));

        Assert.Equal(new JobEnd(true, 0, null), end with { Ran = null });
        var checkpoints = Checkpoints();
        Assert.Equal(new FollowCheckpoint(3, DateTimeOffset.UnixEpoch.AddSeconds(3), Running: true), checkpoints[^1]);
        Assert.Equal([0L, 0, 1, 2, 3], checkpoints.Select(checkpoint => checkpoint.LastLogLine));
        Assert.Equal(["line 1", "line 2", "line 3"], _logs.TextOf(job.Id));
        var stored = _jobs.Get(job.Id);
        Assert.Equal(JobState.Running, stored.State);
        Assert.Equal(FakeKubernetesJobs.ImageWithDigest, stored.Image);
    }

    [Fact]
    public async Task With_logs_read_from_otel_logs_the_follow_stores_no_line_and_ignores_the_store_on_resume()
    {
        var job = Running();
        await _logs.AppendAsync(job.Id, [new LogLine(7, DateTimeOffset.UnixEpoch.AddSeconds(9), LogStream.Output, "shipped elsewhere")], TestContext.Current.CancellationToken);
        var appendsBefore = _logs.AppendCalls;
        var otel = new JobActivities(
            _jobs, _logs, _kubernetes, Options.Create(new EnvironmentsOptions()), TimeProvider.System, NullLogger<JobActivities>.Instance,
            Options.Create(new LogsOptions { Source = LogsOptions.OtelLogsSource }));
        _kubernetes.Follow = FakeKubernetesJobs.Command(lines: 3, perLine: TimeSpan.Zero, exitCode: 0);

        var end = await Environment().RunAsync(() => otel.FollowAsync(FollowOf(job)));

        Assert.Equal(new JobEnd(true, 0, null), end with { Ran = null });
        Assert.Equal(appendsBefore, _logs.AppendCalls);
        Assert.Equal(["shipped elsewhere"], _logs.TextOf(job.Id));
        Assert.Equal(0, Assert.Single(_kubernetes.Follows).Checkpoint.LastLogLine);
    }

    [Fact]
    public async Task Retried_follow_resumes_from_the_last_attempts_heartbeat()
    {
        var job = Running();
        var lastBeat = new FollowCheckpoint(2, DateTimeOffset.UnixEpoch.AddSeconds(2), Running: true);
        var env = Environment(attempt: 2, heartbeat: lastBeat);
        _kubernetes.Follow = FakeKubernetesJobs.Command(lines: 4, perLine: TimeSpan.Zero, exitCode: 0);

        await env.RunAsync(() => _activities.FollowAsync(FollowOf(job)));

        Assert.Equal(lastBeat, Assert.Single(_kubernetes.Follows).Checkpoint);
        Assert.Equal(["line 3", "line 4"], _logs.TextOf(job.Id));
    }

    [Fact]
    public async Task Follow_without_a_heartbeat_resumes_after_the_last_stored_line()
    {
        var job = Running();
        await _logs.AppendAsync(
            job.Id,
            [new LogLine(1, DateTimeOffset.UnixEpoch.AddSeconds(1), LogStream.Output, "line 1"),
             new LogLine(2, DateTimeOffset.UnixEpoch.AddSeconds(2), LogStream.Output, "line 2")],
            TestContext.Current.CancellationToken);
        _kubernetes.Follow = FakeKubernetesJobs.Command(lines: 3, perLine: TimeSpan.Zero, exitCode: 0);

        await Environment(attempt: 2).RunAsync(() => _activities.FollowAsync(FollowOf(job)));

        Assert.Equal(
            new FollowCheckpoint(2, DateTimeOffset.UnixEpoch.AddSeconds(2), Running: true) { LinesAtLastTimestamp = 1 },
            Assert.Single(_kubernetes.Follows).Checkpoint);
        Assert.Equal(["line 1", "line 2", "line 3"], _logs.TextOf(job.Id));
    }

    [Fact]
    public async Task Resume_from_the_log_store_counts_the_stored_lines_sharing_the_last_timestamp()
    {
        var job = Running();
        var first = DateTimeOffset.UnixEpoch.AddSeconds(1);
        var burst = DateTimeOffset.UnixEpoch.AddSeconds(2);
        await _logs.AppendAsync(
            job.Id,
            [new LogLine(1, first, LogStream.Output, "line 1"),
             new LogLine(2, burst, LogStream.Output, "line 2"),
             new LogLine(3, burst, LogStream.Output, "line 3")],
            TestContext.Current.CancellationToken);

        await Environment(attempt: 2).RunAsync(() => _activities.FollowAsync(FollowOf(job)));

        Assert.Equal(
            new FollowCheckpoint(3, burst, Running: true) { LinesAtLastTimestamp = 2 },
            Assert.Single(_kubernetes.Follows).Checkpoint);
    }

    [Fact]
    public async Task Log_store_ahead_of_the_heartbeat_wins_so_no_line_is_fetched_twice()
    {
        var job = Running();
        await _logs.AppendAsync(
            job.Id,
            [new LogLine(3, DateTimeOffset.UnixEpoch.AddSeconds(3), LogStream.Output, "line 3")],
            TestContext.Current.CancellationToken);
        var staleBeat = new FollowCheckpoint(1, DateTimeOffset.UnixEpoch.AddSeconds(1), Running: true);

        await Environment(attempt: 2, heartbeat: staleBeat).RunAsync(() => _activities.FollowAsync(FollowOf(job)));

        Assert.Equal(3, Assert.Single(_kubernetes.Follows).Checkpoint.LastLogLine);
    }

    [Fact]
    public async Task Cancel_reaches_the_follow()
    {
        var job = Running();
        var following = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancel = false;
        _kubernetes.Follow = async (_, _, cancellationToken) =>
        {
            following.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                sawCancel = true;
                throw;
            }

            return new JobEnd(true, 0, null);
        };
        var env = Environment();

        var follow = env.RunAsync(() => _activities.FollowAsync(FollowOf(job)));
        await following.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        env.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.True(sawCancel);
    }

    [Fact]
    public async Task Rejection_becomes_a_non_retryable_failure_of_its_kind()
    {
        var job = Pending();
        _kubernetes.Prepare = (_, _) => throw new JobRejectedException("Service `web` is not deployed in production.", "NotDeployed");

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(
            () => Environment().RunAsync(() => _activities.PrepareAsync(RunJobInput.For(job))));

        Assert.True(failure.NonRetryable);
        Assert.Equal("NotDeployed", failure.ErrorType);
        Assert.Equal("Service `web` is not deployed in production.", failure.Message);
    }

    [Fact]
    public async Task Other_errors_stay_retryable()
    {
        var job = Queued();
        _kubernetes.Create = (_, _) => throw new HttpRequestException("connection refused");

        await Assert.ThrowsAsync<HttpRequestException>(
            () => Environment().RunAsync(() => _activities.CreateAsync(FakeKubernetesJobs.PreparedFor(
                new PrepareJobRequest(job.Id, job.Service, job.Environment, "production", job.Command)))));
    }

    [Fact]
    public async Task Prepare_records_the_kubernetes_name_namespace_image_and_notes()
    {
        var job = Pending(environment: "staging");

        var prepared = await Environment().RunAsync(() => _activities.PrepareAsync(RunJobInput.For(job)));

        Assert.Equal("web-staging", prepared.Job!.Namespace);
        var stored = _jobs.Get(job.Id);
        Assert.Equal(JobIds.KubernetesJobName(job.Id), stored.KubernetesJobName);
        Assert.Equal("web-staging", stored.Namespace);
        Assert.Equal(FakeKubernetesJobs.Image, stored.Image);
        Assert.Equal(["sidecar `envoy` not replicated"], stored.Notes);
    }

    [Fact]
    public async Task Prepare_asks_for_the_jobs_time_limit_as_active_deadline_seconds_and_none_for_a_job_without_one()
    {
        var asked = new List<PrepareJobRequest>();
        _kubernetes.Prepare = (request, _) =>
        {
            asked.Add(request);
            return Task.FromResult(FakeKubernetesJobs.PreparedFor(request));
        };
        var limited = _jobs.Put(Pending() with { Timeout = TimeSpan.FromMinutes(10) });
        var older = Pending();

        await Environment().RunAsync(() => _activities.PrepareAsync(RunJobInput.For(limited)));
        await Environment().RunAsync(() => _activities.PrepareAsync(RunJobInput.For(older)));

        Assert.Equal([(limited.Id, (long?)600), (older.Id, null)], asked.Select(r => (r.JobId, r.ActiveDeadlineSeconds)));
    }

    [Fact]
    public async Task Prepare_of_a_job_that_already_ended_builds_nothing()
    {
        var job = _jobs.Put(Pending() with { State = JobState.Cancelled });

        var prepared = await _activities.PrepareAsync(RunJobInput.For(job), TestContext.Current.CancellationToken);

        Assert.Equal(new PrepareJobResult(null, JobState.Cancelled), prepared);
        Assert.Empty(_kubernetes.Calls);
    }

    [Fact]
    public async Task Unconfigured_environment_is_rejected_before_kubernetes_is_asked()
    {
        var job = Pending(environment: "qa");

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(
            () => Environment().RunAsync(() => _activities.PrepareAsync(RunJobInput.For(job))));

        Assert.Equal(RejectionKinds.UnknownEnvironment, failure.ErrorType);
        Assert.Empty(_kubernetes.Calls);
    }

    [Fact]
    public async Task Delete_targets_the_environments_namespace_and_the_derived_job_name()
    {
        await Environment().RunAsync(() => _activities.DeleteAsync(new DeleteJobInput("j-abcd1234", "staging")));

        Assert.Equal(["delete web-staging/specific-job-abcd1234"], _kubernetes.Calls);
    }

    [Fact]
    public async Task Recording_a_job_another_writer_ended_is_a_lost_race_not_an_error()
    {
        var job = _jobs.Put(Running() with { State = JobState.Cancelled });

        var result = await Environment().RunAsync(
            () => _activities.RecordAsync(new RecordOutcomeInput(job.Id, JobState.Succeeded, 0)));

        Assert.Equal(new RecordOutcomeResult(false, JobState.Cancelled), result);
        Assert.Equal(JobState.Cancelled, _jobs.Get(job.Id).State);
    }

    [Fact]
    public async Task Success_recorded_before_running_was_seen_passes_through_running()
    {
        var job = Queued();

        var result = await Environment().RunAsync(
            () => _activities.RecordAsync(new RecordOutcomeInput(job.Id, JobState.Succeeded, 0)));

        Assert.Equal(new RecordOutcomeResult(true, JobState.Succeeded), result);
        Assert.Equal(
            [(job.Id, JobState.Queued, JobState.Running), (job.Id, JobState.Running, JobState.Succeeded)],
            _jobs.Transitions);
        Assert.Equal(0, _jobs.Get(job.Id).ExitCode);
    }

    [Fact]
    public async Task Failure_is_recorded_with_exit_code_and_reason()
    {
        var job = Running();

        await _activities.RecordAsync(
            new RecordOutcomeInput(job.Id, JobState.Failed, 3, "The command exited with code 3."),
            TestContext.Current.CancellationToken);

        var stored = _jobs.Get(job.Id);
        Assert.Equal(JobState.Failed, stored.State);
        Assert.Equal(3, stored.ExitCode);
        Assert.Equal("The command exited with code 3.", stored.FailureReason);
        Assert.NotNull(stored.FinishedAt);
    }

    private ActivityEnvironment Environment(int attempt = 1, FollowCheckpoint? heartbeat = null)
    {
        var info = ActivityEnvironment.DefaultInfo with
        {
            Attempt = attempt,
            HeartbeatDetails = heartbeat is null ? [] : [DataConverter.Default.PayloadConverter.ToPayload(heartbeat)],
        };
        return new ActivityEnvironment
        {
            Info = info,
            Heartbeater = details =>
            {
                lock (_heartbeats)
                {
                    _heartbeats.Add(details);
                }
            },
        };
    }

    private List<FollowCheckpoint> Checkpoints()
    {
        lock (_heartbeats)
        {
            return _heartbeats.Select(details => Assert.IsType<FollowCheckpoint>(Assert.Single(details))).ToList();
        }
    }

    private static FollowJobInput FollowOf(JobRecord job) =>
        new(job.Id, job.Environment, "production", JobIds.KubernetesJobName(job.Id), "web");

    private JobRecord Pending(string environment = "production") => _jobs.Put(new JobRecord
    {
        Id = JobIds.New(),
        Service = "web",
        Environment = environment,
        Command = "echo hi",
        Origin = new JobOrigin(JobOrigin.Slack),
        State = JobState.Pending,
        Version = 1,
        CreatedAt = DateTimeOffset.UtcNow,
    });

    private JobRecord Queued() => _jobs.Put(Pending() with { State = JobState.Queued });

    private JobRecord Running() => _jobs.Put(Pending() with { State = JobState.Running });
}
