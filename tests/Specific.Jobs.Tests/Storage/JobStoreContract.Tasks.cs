using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>The saved task of the contract: recorded with the job and read back by every read; a free command has none.</summary>
public abstract partial class JobStoreContract
{
    [Fact]
    public async Task Created_job_keeps_its_saved_task_through_every_read()
    {
        var store = (await OpenAsync()).Jobs;
        var request = new JobRequest("web", "production", "echo purged", null, new JobOrigin(JobOrigin.Slack)) { Task = "cache-clear" };

        var created = await store.CreateAsync(request, Ct);
        var moved = await store.TryTransitionAsync(created.Id, JobState.Pending, new JobTransition(JobState.Queued, Start.AddSeconds(1)), Ct);
        var listed = Assert.Single(await store.ListAsync(new JobQuery(), Ct));

        Assert.Equal("cache-clear", created.Task);
        Assert.Equal("cache-clear", moved.Job!.Task);
        Assert.Equal("cache-clear", (await store.GetAsync(created.Id, Ct))!.Task);
        Assert.Equal("cache-clear", listed.Task);
    }

    [Fact]
    public async Task Free_command_reads_back_without_a_task()
    {
        var store = (await OpenAsync()).Jobs;

        var created = await store.CreateAsync(new JobRequest("web", "production", "echo hi", null, new JobOrigin(JobOrigin.Slack)), Ct);

        Assert.Null(created.Task);
        Assert.Null((await store.GetAsync(created.Id, Ct))!.Task);
    }
}
