using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>The time limit of the contract: recorded with the job, read back to the second, absent when none was asked.</summary>
public abstract partial class JobStoreContract
{
    [Fact]
    public async Task Created_job_keeps_its_time_limit_through_every_read()
    {
        var store = (await OpenAsync()).Jobs;
        var request = new JobRequest("web", "production", "sleep 60", null, new JobOrigin(JobOrigin.Slack)) { Timeout = TimeSpan.FromMinutes(90) };

        var created = await store.CreateAsync(request, Ct);
        var moved = await store.TryTransitionAsync(created.Id, JobState.Pending, new JobTransition(JobState.Queued, Start.AddSeconds(1)), Ct);
        var listed = Assert.Single(await store.ListAsync(new JobQuery(), Ct));

        Assert.Equal(TimeSpan.FromMinutes(90), created.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(90), moved.Job!.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(90), (await store.GetAsync(created.Id, Ct))!.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(90), listed.Timeout);
    }

    [Fact]
    public async Task Time_limit_is_kept_in_whole_seconds_rounded_up_and_none_reads_as_none()
    {
        var store = (await OpenAsync()).Jobs;

        var fractional = await store.CreateAsync(
            new JobRequest("web", "production", "true", null, new JobOrigin(JobOrigin.Slack)) { Timeout = TimeSpan.FromMilliseconds(1500) }, Ct);
        var unlimited = await store.CreateAsync(new JobRequest("web", "production", "true", null, new JobOrigin(JobOrigin.Slack)), Ct);

        Assert.Equal(TimeSpan.FromSeconds(2), (await store.GetAsync(fractional.Id, Ct))!.Timeout);
        Assert.Null((await store.GetAsync(unlimited.Id, Ct))!.Timeout);
    }
}
