using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Testing;

namespace Specific.Jobs.Tests.Flow;

/// <summary>The start-up sweep of the Temporal launcher: a cancel recorded before a crash still reaches its workflow.</summary>
public sealed class RecordedCancelDeliveryTests
{
    private readonly InMemoryJobStore _jobs = new();
    private readonly CancelRecordingLauncher _launcher = new();

    [Fact]
    public async Task Sweep_passes_every_recorded_cancel_of_an_unfinished_job_on_to_the_launcher_and_nothing_else()
    {
        var recorded = await JobAsync(JobState.Running, cancelledBy: "U0ALICE");
        var pending = await JobAsync(JobState.Pending, cancelledBy: "U0BOB");
        await JobAsync(JobState.Running, cancelledBy: null);
        await JobAsync(JobState.Succeeded, cancelledBy: "U0ALICE");

        await new RecordedCancelDelivery(_jobs, _launcher, NullLogger<RecordedCancelDelivery>.Instance)
            .SweepAsync(TestContext.Current.CancellationToken);

        Assert.Equal(
            new[] { pending.Id, recorded.Id }.Order(StringComparer.Ordinal),
            _launcher.Cancelled.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sweep_finds_the_oldest_recorded_cancel_behind_more_than_a_page_of_newer_unfinished_jobs()
    {
        var oldest = await JobAsync(JobState.Running, cancelledBy: "U0ALICE");
        for (var i = 0; i < RecordedCancelDelivery.SweptJobs + 20; i++)
        {
            await JobAsync(JobState.Running, cancelledBy: null);
        }

        await new RecordedCancelDelivery(_jobs, _launcher, NullLogger<RecordedCancelDelivery>.Instance)
            .SweepAsync(TestContext.Current.CancellationToken);

        Assert.Equal([oldest.Id], _launcher.Cancelled);
    }

    [Fact]
    public async Task Sweep_goes_on_past_a_cancel_the_launcher_could_not_deliver()
    {
        var first = await JobAsync(JobState.Running, cancelledBy: "U0ALICE");
        var second = await JobAsync(JobState.Running, cancelledBy: "U0ALICE");
        _launcher.FailFor.Add(first.Id);

        await new RecordedCancelDelivery(_jobs, _launcher, NullLogger<RecordedCancelDelivery>.Instance)
            .SweepAsync(TestContext.Current.CancellationToken);

        Assert.Equal([second.Id], _launcher.Cancelled);
    }

    private async Task<JobRecord> JobAsync(JobState state, string? cancelledBy)
    {
        var created = await _jobs.CreateAsync(
            new JobRequest("web", "production", "sleep 60", null, new JobOrigin(JobOrigin.Slack)), TestContext.Current.CancellationToken);
        return _jobs.Put(created with
        {
            State = state,
            CancelRequestedAt = cancelledBy is null ? null : DateTimeOffset.UtcNow,
            CancelRequestedBy = cancelledBy,
        });
    }

    private sealed class CancelRecordingLauncher : IJobLauncher
    {
        public ConcurrentQueue<string> Cancelled { get; } = new();

        public HashSet<string> FailFor { get; } = new(StringComparer.Ordinal);

        public Task StartAsync(JobRecord job, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The sweep starts nothing.");

        public Task CancelAsync(string jobId, CancellationToken cancellationToken)
        {
            if (FailFor.Contains(jobId))
            {
                throw new InvalidOperationException("Temporal is unavailable.");
            }

            Cancelled.Enqueue(jobId);
            return Task.CompletedTask;
        }

        public Task<FlowDescription> DescribeAsync(string jobId, CancellationToken cancellationToken) =>
            Task.FromResult(new FlowDescription(jobId, FlowStatus.Unknown));
    }
}
