using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Testing;
using Specific.Jobs.Tests.Flow.Fakes;
using Temporalio.Exceptions;
using Temporalio.Testing;

namespace Specific.Jobs.Tests.Flow;

/// <summary>The create activity under Temporal's ActivityEnvironment: a retried create never starts a second Kubernetes Job.</summary>
public sealed class CreateOnceActivityTests
{
    private readonly InMemoryJobStore _jobs = new();
    private readonly FakeKubernetesJobs _kubernetes = new();
    private readonly JobActivities _activities;

    public CreateOnceActivityTests()
    {
        _activities = new JobActivities(
            _jobs, new InMemoryLogStore(), _kubernetes, Options.Create(new EnvironmentsOptions()), TimeProvider.System,
            NullLogger<JobActivities>.Instance);
    }

    [Fact]
    public async Task First_attempt_marks_the_job_and_creates_the_kubernetes_job()
    {
        var job = Queued();

        await Attempt(1).RunAsync(() => _activities.CreateAsync(PreparedOf(job)));

        Assert.Equal(1, _kubernetes.CountOf("create"));
        Assert.NotNull(_jobs.Get(job.Id).CreateRequestedAt);
    }

    [Fact]
    public async Task Retried_create_whose_first_attempt_created_the_job_finds_it_and_creates_nothing()
    {
        var job = Marked(Queued());
        _kubernetes.Existing[job.Id] = JobIds.KubernetesJobName(job.Id);

        await Attempt(2).RunAsync(() => _activities.CreateAsync(PreparedOf(job)));

        Assert.Equal(0, _kubernetes.CountOf("create"));
        Assert.Equal(1, _kubernetes.CountOf($"find production/{job.Id}"));
    }

    [Fact]
    public async Task Retried_create_whose_job_is_gone_fails_for_good_and_creates_nothing()
    {
        var job = Marked(Queued());

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(
            () => Attempt(3).RunAsync(() => _activities.CreateAsync(PreparedOf(job))));

        Assert.True(failure.NonRetryable);
        Assert.Equal("Gone", failure.ErrorType);
        Assert.Contains("not started again", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Gone", JobTemporal.NonRetryableErrorTypes);
        Assert.Equal(0, _kubernetes.CountOf("create"));
    }

    [Fact]
    public async Task Failed_create_that_made_nothing_clears_the_mark_so_the_retry_creates()
    {
        var job = Queued();
        var failures = 1;
        _kubernetes.Create = (_, _) => Interlocked.Decrement(ref failures) >= 0
            ? throw new HttpRequestException("connection refused")
            : Task.CompletedTask;

        await Assert.ThrowsAsync<HttpRequestException>(() => Attempt(1).RunAsync(() => _activities.CreateAsync(PreparedOf(job))));
        var afterFailure = _jobs.Get(job.Id).CreateRequestedAt;
        await Attempt(2).RunAsync(() => _activities.CreateAsync(PreparedOf(job)));

        Assert.Null(afterFailure);
        Assert.Equal(2, _kubernetes.CountOf("create"));
        Assert.True(_kubernetes.Existing.ContainsKey(job.Id));
    }

    [Fact]
    public async Task Failed_create_whose_job_exists_anyway_counts_as_created()
    {
        var job = Queued();
        _kubernetes.Create = (prepared, _) =>
        {
            // The API server made the Job, but its answer was lost on the way back.
            _kubernetes.Existing[prepared.JobId] = prepared.JobName;
            throw new HttpRequestException("The response ended prematurely.");
        };

        await Attempt(1).RunAsync(() => _activities.CreateAsync(PreparedOf(job)));

        Assert.Equal(1, _kubernetes.CountOf("create"));
        Assert.NotNull(_jobs.Get(job.Id).CreateRequestedAt);
    }

    private static ActivityEnvironment Attempt(int number) =>
        new() { Info = ActivityEnvironment.DefaultInfo with { Attempt = number } };

    private static PreparedJob PreparedOf(JobRecord job) =>
        FakeKubernetesJobs.PreparedFor(new PrepareJobRequest(job.Id, job.Service, job.Environment, "production", job.Command));

    private JobRecord Marked(JobRecord job) => _jobs.Put(job with { CreateRequestedAt = DateTimeOffset.UtcNow });

    private JobRecord Queued() => _jobs.Put(new JobRecord
    {
        Id = JobIds.New(),
        Service = "web",
        Environment = "production",
        Command = "echo hi",
        Origin = new JobOrigin(JobOrigin.Slack),
        State = JobState.Queued,
        Version = 2,
        CreatedAt = DateTimeOffset.UtcNow,
    });
}
