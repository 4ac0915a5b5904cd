using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>The durable requests of the contract: a person's cancel, and the mark that the Kubernetes Job is being created.</summary>
public abstract partial class JobStoreContract
{
    [Fact]
    public async Task Recorded_cancel_keeps_who_and_when_and_a_later_request_changes_nothing()
    {
        var store = (await OpenAsync()).Jobs;
        var job = await CreateAsync(store, "web");
        await MoveAsync(store, job.Id, JobState.Pending, JobState.Queued);
        var at = Start.AddSeconds(5);

        var recorded = await store.RequestCancelAsync(job.Id, "U0ALICE", at, Ct);
        var again = await store.RequestCancelAsync(job.Id, "U0ADMIN", at.AddSeconds(1), Ct);
        var read = await store.GetAsync(job.Id, Ct);

        Assert.Equal((at, "U0ALICE", 3L), (recorded!.CancelRequestedAt, recorded.CancelRequestedBy, recorded.Version));
        Assert.Equivalent(recorded, again, strict: true);
        Assert.Equivalent(recorded, read, strict: true);
        Assert.Equal(JobState.Queued, read!.State);
    }

    [Fact]
    public async Task Recorded_cancel_is_a_change_a_watcher_sees()
    {
        var store = (await OpenAsync()).Jobs;
        await using var watcher = new ChangeWatcher(store);
        var job = await CreateAsync(store, "web");

        var recorded = await store.RequestCancelAsync(job.Id, "U0ALICE", Start, Ct);

        Assert.Equal(new JobChanged(job.Id, 2), await watcher.WaitForAsync(job.Id, recorded!.Version));
    }

    [Fact]
    public async Task Cancel_of_an_ended_job_records_nothing_and_of_an_unknown_job_answers_null()
    {
        var store = (await OpenAsync()).Jobs;
        var job = await CreateAsync(store, "web");
        var ended = await MoveAsync(store, job.Id, JobState.Pending, JobState.Cancelled);

        var answer = await store.RequestCancelAsync(job.Id, "U0ALICE", Start, Ct);

        Assert.Equivalent(ended, answer, strict: true);
        Assert.Null(answer!.CancelRequestedAt);
        Assert.Null(await store.RequestCancelAsync("j-unknown1", "U0ALICE", Start, Ct));
    }

    [Fact]
    public async Task Create_mark_is_set_once_across_replicas_without_a_visible_change()
    {
        var first = (await OpenAsync()).Jobs;
        var second = (await OpenAsync()).Jobs;
        var job = await CreateAsync(first, "web");
        var at = Start.AddSeconds(3);

        var marked = await first.TryMarkCreateRequestedAsync(job.Id, at, Ct);
        var markedAgain = await second.TryMarkCreateRequestedAsync(job.Id, at, Ct);
        var read = await second.GetAsync(job.Id, Ct);

        Assert.Equal((true, false), (marked, markedAgain));
        Assert.Equal((at, 1L), (read!.CreateRequestedAt, read.Version));
    }

    [Fact]
    public async Task Cleared_create_mark_can_be_set_again()
    {
        var store = (await OpenAsync()).Jobs;
        var job = await CreateAsync(store, "web");
        await store.TryMarkCreateRequestedAsync(job.Id, Start, Ct);

        await store.ClearCreateRequestedAsync(job.Id, Ct);
        var cleared = await store.GetAsync(job.Id, Ct);

        Assert.Null(cleared!.CreateRequestedAt);
        Assert.True(await store.TryMarkCreateRequestedAsync(job.Id, Start.AddSeconds(1), Ct));
    }

    [Fact]
    public async Task Create_mark_of_an_unknown_job_is_refused()
    {
        var store = (await OpenAsync()).Jobs;

        await Assert.ThrowsAsync<JobNotFoundException>(() => store.TryMarkCreateRequestedAsync("j-unknown1", Start, Ct));
    }
}
