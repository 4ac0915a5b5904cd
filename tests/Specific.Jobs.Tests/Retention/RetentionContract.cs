using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Retention;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Retention;

/// <summary>One store's parts as retention sees them: the jobs, their threads, the audit trail and the log lines.</summary>
public sealed record RetainedStores(IJobStore Jobs, IThreadStore Threads, IAuditLog Audit, IStoreRetention Retention, ILogStore Logs);

/// <summary>
/// What retention does on every store that prunes itself: old ended rows go in bounded batches, unfinished jobs and
/// their lines stay however old, a job goes only with its thread record and after its lines. A subclass opens the
/// job and log stores over one fresh database per test.
/// </summary>
public abstract class RetentionContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Clock { get; } = new(Start);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens and migrates the stores over this test's database; each call stands for another replica.</summary>
    protected abstract Task<RetainedStores> OpenAsync();

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public abstract ValueTask DisposeAsync();

    [Fact]
    public async Task Old_ended_jobs_go_with_their_threads_and_lines_while_unfinished_ones_stay_however_old()
    {
        var stores = await OpenAsync();
        var succeeded = await JobAsync(stores, JobState.Succeeded, lines: 7);
        var failed = await JobAsync(stores, JobState.Failed, lines: 3);
        var cancelled = await JobAsync(stores, JobState.Cancelled, lines: 0);
        var pending = await JobAsync(stores, JobState.Pending, lines: 0);
        var queued = await JobAsync(stores, JobState.Queued, lines: 0);
        var running = await JobAsync(stores, JobState.Running, lines: 5);
        // The end-of-job direct message of the succeeded job was claimed: the claim goes with the job.
        var notices = Assert.IsAssignableFrom<IRequesterNotices>(stores.Jobs);
        Assert.True(await notices.TryClaimJobEndDmAsync(succeeded, Clock.GetUtcNow(), Ct));
        Clock.Advance(TimeSpan.FromDays(200));
        var recent = await JobAsync(stores, JobState.Succeeded, lines: 4);

        var report = await Retention(stores, batchSize: 2).PruneAsync(Ct);
        Assert.True(await notices.TryClaimJobEndDmAsync(succeeded, Clock.GetUtcNow(), Ct), "The deleted job's DM claim was kept.");

        foreach (var gone in new[] { succeeded, failed, cancelled })
        {
            Assert.Null(await stores.Jobs.GetAsync(gone, Ct));
            Assert.Null(await stores.Threads.GetAsync(gone, Ct));
            Assert.Equal(0, await stores.Logs.LastNumberAsync(gone, Ct));
        }

        foreach (var (kept, lines) in new[] { (pending, 0L), (queued, 0L), (running, 5L), (recent, 4L) })
        {
            Assert.NotNull(await stores.Jobs.GetAsync(kept, Ct));
            Assert.NotNull(await stores.Threads.GetAsync(kept, Ct));
            Assert.Equal(lines, (await stores.Logs.ReadAfterAsync(kept, 0, 100, Ct)).Count);
        }

        Assert.Equal(new RetentionReport(LogLines: 10, JobsWithLogsPruned: 3, Jobs: 3, AuditEntries: 0), report);
    }

    [Fact]
    public async Task Lines_go_after_the_log_retention_while_the_job_and_its_thread_are_kept()
    {
        var stores = await OpenAsync();
        var ended = await JobAsync(stores, JobState.Succeeded, lines: 5);
        var running = await JobAsync(stores, JobState.Running, lines: 5);
        Clock.Advance(TimeSpan.FromDays(31));

        var report = await Retention(stores, batchSize: 2).PruneAsync(Ct);
        var again = await Retention(stores, batchSize: 2).PruneAsync(Ct);

        Assert.Equal(0, await stores.Logs.LastNumberAsync(ended, Ct));
        Assert.NotNull(await stores.Jobs.GetAsync(ended, Ct));
        Assert.NotNull(await stores.Threads.GetAsync(ended, Ct));
        Assert.Equal(5, await stores.Logs.LastNumberAsync(running, Ct));
        Assert.Equal(new RetentionReport(5, 1, 0, 0), report);
        Assert.False(again.DeletedAny, "a job whose lines are gone is not looked at again");
    }

    [Fact]
    public async Task A_job_past_its_retention_whose_lines_are_not_yet_gone_is_kept_until_they_are()
    {
        var stores = await OpenAsync();
        var ended = await JobAsync(stores, JobState.Failed, lines: 3);
        Clock.Advance(TimeSpan.FromDays(200));

        var deleted = await stores.Retention.DeleteEndedJobsAsync(Clock.GetUtcNow(), 10, Ct);

        Assert.Equal(0, deleted);
        Assert.NotNull(await stores.Jobs.GetAsync(ended, Ct));
    }

    [Fact]
    public async Task Each_delete_takes_at_most_its_batch()
    {
        var stores = await OpenAsync();
        var jobs = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            jobs.Add(await JobAsync(stores, JobState.Succeeded, lines: i == 0 ? 5 : 0));
            await AuditAsync(stores);
        }

        Clock.Advance(TimeSpan.FromDays(500));
        var pruning = Assert.IsAssignableFrom<ILogPruning>(stores.Logs);

        Assert.Equal(new[] { 2, 2, 1, 0 }, await RepeatAsync(() => pruning.DeleteLinesAsync(jobs[0], 2, Ct)));
        foreach (var job in jobs)
        {
            await stores.Retention.MarkLogsPrunedAsync(job, Clock.GetUtcNow(), Ct);
        }

        Assert.Equal(new[] { 2, 2, 1, 0 }, await RepeatAsync(() => stores.Retention.DeleteEndedJobsAsync(Clock.GetUtcNow(), 2, Ct)));
        Assert.Equal(new[] { 2, 2, 1, 0 }, await RepeatAsync(() => stores.Retention.DeleteAuditEntriesAsync(Clock.GetUtcNow(), 2, Ct)));
    }

    [Fact]
    public async Task Audit_entries_older_than_their_setting_go_and_newer_ones_stay()
    {
        var stores = await OpenAsync();
        await AuditAsync(stores);
        Clock.Advance(TimeSpan.FromDays(300));
        var kept = await AuditAsync(stores);
        Clock.Advance(TimeSpan.FromDays(101));

        var report = await Retention(stores, batchSize: 2).PruneAsync(Ct);

        Assert.Equal(1, report.AuditEntries);
        Assert.Equal([kept.Id], (await stores.Audit.ListAsync(new AuditQuery("production"), Ct)).Select(e => e.Id));
    }

    [Fact]
    public async Task Two_replicas_pruning_at_once_delete_each_row_once()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        for (var i = 0; i < 12; i++)
        {
            await JobAsync(first, JobState.Succeeded, lines: 3);
            await AuditAsync(first);
        }

        Clock.Advance(TimeSpan.FromDays(500));

        var reports = await Task.WhenAll(
            Task.Run(() => Retention(first, batchSize: 2).PruneAsync(Ct), Ct),
            Task.Run(() => Retention(second, batchSize: 2).PruneAsync(Ct), Ct));

        Assert.Equal(36, reports.Sum(r => r.LogLines));
        Assert.Equal(12, reports.Sum(r => r.Jobs));
        Assert.Equal(12, reports.Sum(r => r.AuditEntries));
        Assert.Empty(await first.Jobs.ListAsync(new JobQuery(), Ct));
    }

    private JobRetention Retention(RetainedStores stores, int batchSize) => new(
        stores.Retention,
        stores.Logs,
        new RetentionOptions { JobDays = 180, AuditDays = 400, BatchSize = batchSize, Pause = TimeSpan.Zero },
        logRetentionDays: 30,
        Clock);

    /// <summary>A job brought to <paramref name="state"/> now, with a thread record and <paramref name="lines"/> log lines.</summary>
    private async Task<string> JobAsync(RetainedStores stores, JobState state, int lines)
    {
        var job = await stores.Jobs.CreateAsync(
            new JobRequest("web", "production", "echo hi", null, new JobOrigin(JobOrigin.Slack, "T1", "C1", "U1")), Ct);
        var from = JobState.Pending;
        JobState[] path = state switch
        {
            JobState.Pending => [],
            JobState.Queued => [JobState.Queued],
            JobState.Running => [JobState.Queued, JobState.Running],
            JobState.Succeeded => [JobState.Queued, JobState.Running, JobState.Succeeded],
            _ => [state],
        };
        foreach (var to in path)
        {
            var moved = await stores.Jobs.TryTransitionAsync(
                job.Id, from, new JobTransition(to, Clock.GetUtcNow(), FailureReason: to == JobState.Failed ? "it broke" : null), Ct);
            Assert.True(moved.Applied, $"{job.Id} moves from {from} to {to}");
            from = to;
        }

        await stores.Threads.SaveAsync(new JobThread(job.Id, "C1", "1.000100", 1, state.ToWire(), lines, state is JobState.Succeeded or JobState.Failed or JobState.Cancelled), Ct);
        await stores.Logs.AppendAsync(
            job.Id, Enumerable.Range(1, lines).Select(n => new LogLine(n, Clock.GetUtcNow(), LogStream.Output, $"line {n}")).ToList(), Ct);
        return job.Id;
    }

    private async Task<AuditEntry> AuditAsync(RetainedStores stores) => await stores.Audit.AppendAsync(
        new AuditEntry(0, Clock.GetUtcNow(), AuditAction.Run, AuditOutcome.Allowed, "production", "web", null, "T1", "U1", "C1", "job run web", null, null), Ct);

    private static async Task<int[]> RepeatAsync(Func<Task<int>> delete)
    {
        var counts = new List<int>();
        do
        {
            counts.Add(await delete());
        }
        while (counts[^1] > 0 && counts.Count < 10);

        return [.. counts];
    }
}
