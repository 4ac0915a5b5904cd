using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>The Home tab's query: one person's jobs, newest first, nobody else's.</summary>
public abstract partial class JobStoreContract
{
    [Fact]
    public async Task List_filters_by_the_person_who_started_the_job()
    {
        var store = (await OpenAsync()).Jobs;
        var anasWeb = await store.CreateAsync(new JobRequest("web", "production", "echo one", null, new JobOrigin(JobOrigin.Slack, "T1", "C0OPS", "U0ANA")), Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var bosWeb = await store.CreateAsync(new JobRequest("web", "production", "echo two", null, new JobOrigin(JobOrigin.Slack, "T1", "C0OPS", "U0BO")), Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var anasWorker = await store.CreateAsync(new JobRequest("worker", "staging", "echo three", null, new JobOrigin(JobOrigin.Slack, "T1", "C0GENERAL", "U0ANA")), Ct);
        await MoveAsync(store, anasWorker.Id, JobState.Pending, JobState.Cancelled);

        Assert.Equal([anasWorker.Id, anasWeb.Id], Ids(await store.ListAsync(new JobQuery { UserId = "U0ANA" }, Ct)));
        Assert.Equal([bosWeb.Id], Ids(await store.ListAsync(new JobQuery { UserId = "U0BO" }, Ct)));
        Assert.Equal([anasWeb.Id], Ids(await store.ListAsync(new JobQuery(UnfinishedOnly: true) { UserId = "U0ANA" }, Ct)));
        Assert.Equal([anasWorker.Id], Ids(await store.ListAsync(new JobQuery(Limit: 1) { UserId = "U0ANA" }, Ct)));
        Assert.Equal([anasWeb.Id], Ids(await store.ListAsync(new JobQuery(ChannelId: "C0OPS") { UserId = "U0ANA" }, Ct)));
        Assert.Empty(await store.ListAsync(new JobQuery { UserId = "U0NOBODY" }, Ct));
    }

    [Fact]
    public async Task List_filters_by_a_recorded_cancel()
    {
        var store = (await OpenAsync()).Jobs;
        var kept = await store.CreateAsync(new JobRequest("web", "production", "sleep 60", null, new JobOrigin(JobOrigin.Slack, "T1", "C0OPS", "U0ANA")), Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var cancelled = await store.CreateAsync(new JobRequest("web", "production", "sleep 61", null, new JobOrigin(JobOrigin.Slack, "T1", "C0OPS", "U0ANA")), Ct);
        await store.RequestCancelAsync(cancelled.Id, "U0ANA", Clock.GetUtcNow(), Ct);

        Assert.Equal([cancelled.Id], Ids(await store.ListAsync(new JobQuery(UnfinishedOnly: true) { CancelRequestedOnly = true }, Ct)));
        Assert.Equal([cancelled.Id, kept.Id], Ids(await store.ListAsync(new JobQuery(UnfinishedOnly: true), Ct)));
    }
}
