using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>The five storage contracts as one store serves them; two opened over one database are two replicas.</summary>
public sealed record JobStores(IJobStore Jobs, IThreadStore Threads, IRequestLedger Ledger, IAuditLog Audit, IRequesterNotices Notices)
{
    public static JobStores Of<T>(T store) where T : IJobStore, IThreadStore, IRequestLedger, IAuditLog, IRequesterNotices =>
        new(store, store, store, store, store);
}

/// <summary>
/// What every job store must do, whatever is behind it. A subclass opens stores over one fresh database per test.
/// </summary>
public abstract partial class JobStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Clock { get; } = new(Start);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens and migrates a store over this test's database; each call stands for another replica or process.</summary>
    protected abstract Task<JobStores> OpenAsync();

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public abstract ValueTask DisposeAsync();

    public static TheoryData<JobState, JobState> LegalMoves { get; } = Moves(legal: true);

    public static TheoryData<JobState, JobState> IllegalMoves { get; } = Moves(legal: false);

    [Fact]
    public async Task Created_job_is_pending_at_version_one_and_keeps_every_field()
    {
        var store = (await OpenAsync()).Jobs;
        var request = new JobRequest(
            "web", "staging", "rake db:migrate", "migrate",
            new JobOrigin(JobOrigin.Slack, "T1", "C1", "U1", "ana"), RerunOf: "j-previous");

        var created = await store.CreateAsync(request, Ct);
        var read = await store.GetAsync(created.Id, Ct);

        Assert.Matches("^j-[a-z0-9]{8}$", created.Id);
        Assert.Equal(JobState.Pending, created.State);
        Assert.Equal(1, created.Version);
        Assert.Equal(Start, created.CreatedAt);
        Assert.NotNull(read);
        Assert.Equivalent(created, read, strict: true);
        Assert.Equal(("web", "staging", "rake db:migrate", "migrate", "j-previous"), (read.Service, read.Environment, read.Command, read.Name, read.RerunOf));
        Assert.Equal(request.Origin, read.Origin);
        Assert.Empty(read.Notes);
        Assert.Null(read.QueuedAt);
    }

    [Fact]
    public async Task Unknown_job_reads_as_null()
    {
        var store = (await OpenAsync()).Jobs;

        Assert.Null(await store.GetAsync("j-unknown1", Ct));
    }

    [Fact]
    public async Task List_is_newest_first_and_filters_by_service_environment_and_unfinished()
    {
        var store = (await OpenAsync()).Jobs;
        var oldWeb = await CreateAsync(store, "web");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var worker = await CreateAsync(store, "worker");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var stagingWeb = await CreateAsync(store, "web", "staging");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var newWeb = await CreateAsync(store, "web");
        await MoveAsync(store, newWeb.Id, JobState.Pending, JobState.Cancelled);

        Assert.Equal([newWeb.Id, stagingWeb.Id, worker.Id, oldWeb.Id], Ids(await store.ListAsync(new JobQuery(), Ct)));
        Assert.Equal([newWeb.Id, stagingWeb.Id, oldWeb.Id], Ids(await store.ListAsync(new JobQuery("web"), Ct)));
        Assert.Equal([stagingWeb.Id, oldWeb.Id], Ids(await store.ListAsync(new JobQuery("web", UnfinishedOnly: true), Ct)));
        Assert.Equal([stagingWeb.Id], Ids(await store.ListAsync(new JobQuery(Environment: "staging"), Ct)));
        Assert.Equal([newWeb.Id, stagingWeb.Id], Ids(await store.ListAsync(new JobQuery(Limit: 2), Ct)));
        Assert.Empty(await store.ListAsync(new JobQuery("api"), Ct));
    }

    [Fact]
    public async Task List_filters_by_the_channel_a_job_was_started_in()
    {
        var store = (await OpenAsync()).Jobs;
        var inOps = await store.CreateAsync(new JobRequest("web", "production", "echo ops", null, new JobOrigin(JobOrigin.Slack, "T1", "C0OPS", "U1")), Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var inGeneral = await store.CreateAsync(new JobRequest("web", "production", "echo general", null, new JobOrigin(JobOrigin.Slack, "T1", "C0GENERAL", "U1")), Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var workerInOps = await store.CreateAsync(new JobRequest("worker", "staging", "echo ops", null, new JobOrigin(JobOrigin.Slack, "T1", "C0OPS", "U1")), Ct);

        Assert.Equal([workerInOps.Id, inOps.Id], Ids(await store.ListAsync(new JobQuery(ChannelId: "C0OPS"), Ct)));
        Assert.Equal([inGeneral.Id], Ids(await store.ListAsync(new JobQuery(ChannelId: "C0GENERAL"), Ct)));
        Assert.Equal([inOps.Id], Ids(await store.ListAsync(new JobQuery("web", ChannelId: "C0OPS"), Ct)));
        Assert.Equal([workerInOps.Id], Ids(await store.ListAsync(new JobQuery(Environment: "staging", ChannelId: "C0OPS"), Ct)));
        Assert.Empty(await store.ListAsync(new JobQuery(ChannelId: "C0ELSEWHERE"), Ct));
    }

    [Theory]
    [MemberData(nameof(LegalMoves))]
    public async Task Legal_move_is_applied_stamps_its_time_and_bumps_the_version(JobState from, JobState to)
    {
        var store = (await OpenAsync()).Jobs;
        var job = await BringToAsync(store, from);
        var at = Start.AddMinutes(5).AddTicks(1234567);
        var transition = new JobTransition(
            to, at, ExitCode: to is JobState.Succeeded or JobState.Failed ? 3 : null,
            FailureReason: to == JobState.Failed ? "exit code 3" : null);

        var result = await store.TryTransitionAsync(job.Id, from, transition, Ct);

        Assert.True(result.Applied);
        Assert.NotNull(result.Job);
        Assert.Equal(to, result.Job.State);
        Assert.Equal(job.Version + 1, result.Job.Version);
        Assert.Equal(new DateTimeOffset(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero), result.Job.EnteredAt(to));
        Assert.Equal(transition.ExitCode, result.Job.ExitCode);
        Assert.Equal(transition.FailureReason, result.Job.FailureReason);
        Assert.Equivalent(result.Job, await store.GetAsync(job.Id, Ct), strict: true);
    }

    [Theory]
    [MemberData(nameof(IllegalMoves))]
    public async Task Illegal_move_is_refused_and_leaves_the_job_as_it_was(JobState from, JobState to)
    {
        var store = (await OpenAsync()).Jobs;
        var job = await BringToAsync(store, from);

        var refused = await Assert.ThrowsAsync<InvalidTransitionException>(
            () => store.TryTransitionAsync(job.Id, from, new JobTransition(to, Start, FailureReason: "reason"), Ct));

        Assert.Equal((from, to), (refused.From, refused.To));
        Assert.Equivalent(job, await store.GetAsync(job.Id, Ct), strict: true);
    }

    [Fact]
    public async Task Move_from_a_state_the_job_has_left_is_not_applied_and_returns_the_job_as_it_is()
    {
        var store = (await OpenAsync()).Jobs;
        var job = await BringToAsync(store, JobState.Running);

        var result = await store.TryTransitionAsync(job.Id, JobState.Queued, new JobTransition(JobState.Cancelled, Start), Ct);

        Assert.False(result.Applied);
        Assert.Equivalent(job, result.Job, strict: true);
    }

    [Fact]
    public async Task Move_of_an_unknown_job_is_not_applied_and_returns_no_job()
    {
        var store = (await OpenAsync()).Jobs;

        var result = await store.TryTransitionAsync("j-unknown1", JobState.Pending, new JobTransition(JobState.Queued, Start), Ct);

        Assert.Equal(new TransitionResult(false, null), result);
    }

    [Fact]
    public async Task Failure_without_a_reason_is_refused()
    {
        var store = (await OpenAsync()).Jobs;
        var job = await CreateAsync(store, "web");

        await Assert.ThrowsAsync<ArgumentException>(
            () => store.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Failed, Start, FailureReason: " "), Ct));
        Assert.Equal(JobState.Pending, (await store.GetAsync(job.Id, Ct))!.State);
    }

    [Fact]
    public async Task Of_concurrent_writers_moving_one_job_exactly_one_is_applied()
    {
        var replicas = new[] { (await OpenAsync()).Jobs, (await OpenAsync()).Jobs };
        var job = await CreateAsync(replicas[0], "web");
        var targets = new[] { JobState.Queued, JobState.Cancelled, JobState.Failed };

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => replicas[i % 2].TryTransitionAsync(
            job.Id, JobState.Pending, new JobTransition(targets[i % 3], Start, FailureReason: "writer " + i), Ct))));

        var applied = Assert.Single(results, r => r.Applied);
        var final = await replicas[1].GetAsync(job.Id, Ct);
        Assert.Equal(2, final!.Version);
        Assert.Equal(applied.Job!.State, final.State);
        Assert.All(results.Where(r => !r.Applied), r => Assert.Equal(final.State, r.Job!.State));
    }

    [Fact]
    public async Task Details_are_recorded_keep_what_is_not_restated_and_bump_the_version()
    {
        var store = (await OpenAsync()).Jobs;
        var job = await BringToAsync(store, JobState.Queued);

        var first = await store.AddDetailsAsync(
            job.Id, new JobDetails("specific-job-abc", "production", "web:1.2", ["sidecar `envoy` not replicated"]), Ct);
        var second = await store.AddDetailsAsync(
            job.Id, new JobDetails(Image: "web@sha256:abc", Notes: ["sidecar `envoy` not replicated", "probes removed", "probes removed"]), Ct);

        Assert.Equal(job.Version + 1, first.Version);
        Assert.Equal(job.Version + 2, second.Version);
        Assert.Equal(JobState.Queued, second.State);
        Assert.Equal(("specific-job-abc", "production", "web@sha256:abc"), (second.KubernetesJobName, second.Namespace, second.Image));
        Assert.Equal(["sidecar `envoy` not replicated", "probes removed"], second.Notes);
        Assert.Equivalent(second, await store.GetAsync(job.Id, Ct), strict: true);
    }

    [Fact]
    public async Task Details_of_an_unknown_job_are_refused()
    {
        var store = (await OpenAsync()).Jobs;

        await Assert.ThrowsAsync<JobNotFoundException>(() => store.AddDetailsAsync("j-unknown1", new JobDetails(Image: "x"), Ct));
    }

    [Fact]
    public async Task Watcher_sees_create_transition_and_details()
    {
        var store = (await OpenAsync()).Jobs;
        await using var watcher = new ChangeWatcher(store);

        var job = await CreateAsync(store, "web");
        await watcher.WaitForAsync(job.Id, 1);
        var queued = await store.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Queued, Start), Ct);
        await watcher.WaitForAsync(job.Id, queued.Job!.Version);
        var detailed = await store.AddDetailsAsync(job.Id, new JobDetails(Image: "web:2"), Ct);
        var seen = await watcher.WaitForAsync(job.Id, detailed.Version);

        Assert.Equal(new JobChanged(job.Id, 3), seen);
    }

    [Fact]
    public async Task Watcher_sees_writes_made_through_another_replica()
    {
        var watched = (await OpenAsync()).Jobs;
        var other = (await OpenAsync()).Jobs;
        await using var watcher = new ChangeWatcher(watched);

        var job = await CreateAsync(other, "web");
        await watcher.WaitForAsync(job.Id, 1);
        await other.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Queued, Start), Ct);

        Assert.Equal(new JobChanged(job.Id, 2), await watcher.WaitForAsync(job.Id, 2));
    }

    [Fact]
    public async Task Every_watcher_sees_every_change()
    {
        var store = (await OpenAsync()).Jobs;
        await using var first = new ChangeWatcher(store);
        await using var second = new ChangeWatcher(store);

        var jobs = new List<JobRecord>();
        for (var i = 0; i < 20; i++)
        {
            jobs.Add(await CreateAsync(store, "web"));
        }

        foreach (var job in jobs)
        {
            await first.WaitForAsync(job.Id, 1);
            await second.WaitForAsync(job.Id, 1);
        }
    }

    [Fact]
    public async Task Thread_cursor_is_saved_replaced_and_read_back()
    {
        var threads = (await OpenAsync()).Threads;
        var cursor = new JobThread("j-thread01", "C1", null, 1, null, 0, false);

        Assert.Null(await threads.GetAsync("j-thread01", Ct));
        await threads.SaveAsync(cursor, Ct);
        Assert.Equal(cursor, await threads.GetAsync("j-thread01", Ct));

        var advanced = cursor with { MessageTs = "1700000000.000100", RenderedVersion = 4, PostedState = "running", PostedLogLine = 120 };
        await threads.SaveAsync(advanced, Ct);
        Assert.Equal(advanced, await threads.GetAsync("j-thread01", Ct));
    }

    [Fact]
    public async Task Thread_cursor_keeps_the_reply_about_to_be_posted_until_a_save_without_it()
    {
        var threads = (await OpenAsync()).Threads;
        var cursor = new JobThread("j-thread03", "C1", "1700000000.000100", 3, "queued", 10, false);
        var intent = new ThreadPostIntent("6f1c2a9e4b7d", Start.AddSeconds(1.234567), "running", 40, false);

        await threads.SaveAsync(cursor with { Pending = intent }, Ct);
        var saved = await threads.GetAsync("j-thread03", Ct);
        Assert.Equal(intent, saved!.Pending);
        Assert.Equal(cursor, saved with { Pending = null });

        var posted = cursor with { PostedState = "running", PostedLogLine = 40 };
        await threads.SaveAsync(posted, Ct);
        Assert.Equal(posted, await threads.GetAsync("j-thread03", Ct));
    }

    [Fact]
    public async Task Lease_is_exclusive_until_it_expires_and_then_another_owner_takes_it()
    {
        var threads = (await OpenAsync()).Threads;
        var until = Start.AddSeconds(30);

        Assert.True(await threads.TryLeaseAsync("j-lease001", "replica-a", Start, until, Ct));
        Assert.False(await threads.TryLeaseAsync("j-lease001", "replica-b", Start.AddSeconds(10), Start.AddSeconds(40), Ct));
        Assert.True(await threads.TryLeaseAsync("j-lease001", "replica-a", Start.AddSeconds(20), Start.AddSeconds(50), Ct));
        Assert.False(await threads.TryLeaseAsync("j-lease001", "replica-b", Start.AddSeconds(45), Start.AddSeconds(75), Ct));
        Assert.True(await threads.TryLeaseAsync("j-lease001", "replica-b", Start.AddSeconds(50), Start.AddSeconds(80), Ct));
        Assert.False(await threads.TryLeaseAsync("j-lease001", "replica-a", Start.AddSeconds(60), Start.AddSeconds(90), Ct));
    }

    [Fact]
    public async Task Released_lease_is_free_for_another_owner_but_only_its_owner_releases_it()
    {
        var threads = (await OpenAsync()).Threads;

        Assert.True(await threads.TryLeaseAsync("j-lease002", "replica-a", Start, Start.AddMinutes(1), Ct));
        await threads.ReleaseAsync("j-lease002", "replica-b", Ct);
        Assert.False(await threads.TryLeaseAsync("j-lease002", "replica-b", Start, Start.AddMinutes(1), Ct));
        await threads.ReleaseAsync("j-lease002", "replica-a", Ct);
        Assert.True(await threads.TryLeaseAsync("j-lease002", "replica-b", Start, Start.AddMinutes(1), Ct));
    }

    [Fact]
    public async Task Of_owners_racing_for_a_free_lease_exactly_one_gets_it()
    {
        var replicas = new[] { (await OpenAsync()).Threads, (await OpenAsync()).Threads };

        var won = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            replicas[i % 2].TryLeaseAsync("j-lease003", "replica-" + i, Start, Start.AddMinutes(1), Ct))));

        Assert.Single(won, w => w);
    }

    [Fact]
    public async Task Lease_and_cursor_do_not_overwrite_each_other()
    {
        var threads = (await OpenAsync()).Threads;
        Assert.True(await threads.TryLeaseAsync("j-thread02", "replica-a", Start, Start.AddMinutes(1), Ct));

        Assert.Null(await threads.GetAsync("j-thread02", Ct));
        var cursor = new JobThread("j-thread02", "C1", "1.2", 2, "queued", 0, false);
        await threads.SaveAsync(cursor, Ct);

        Assert.False(await threads.TryLeaseAsync("j-thread02", "replica-b", Start, Start.AddMinutes(1), Ct));
        Assert.True(await threads.TryLeaseAsync("j-thread02", "replica-a", Start.AddSeconds(30), Start.AddMinutes(2), Ct));
        Assert.Equal(cursor, await threads.GetAsync("j-thread02", Ct));
    }

    [Fact]
    public async Task Open_threads_are_those_without_their_final_post()
    {
        var threads = (await OpenAsync()).Threads;
        await threads.SaveAsync(new JobThread("j-open0001", "C1", "1.1", 1, "running", 3, false), Ct);
        await threads.SaveAsync(new JobThread("j-open0002", "C1", "1.2", 4, "succeeded", 9, true), Ct);
        await threads.SaveAsync(new JobThread("j-open0003", "C2", null, 1, null, 0, false), Ct);
        await threads.TryLeaseAsync("j-open0004", "replica-a", Start, Start.AddMinutes(1), Ct);

        Assert.Equal(["j-open0001", "j-open0003"], (await threads.ListOpenAsync(Ct)).Order(StringComparer.Ordinal));

        await threads.SaveAsync(new JobThread("j-open0001", "C1", "1.1", 5, "failed", 3, true), Ct);
        Assert.Equal(["j-open0003"], await threads.ListOpenAsync(Ct));
    }

    [Fact]
    public async Task Request_key_is_new_the_first_time_and_a_repeat_after()
    {
        var ledger = (await OpenAsync()).Ledger;

        Assert.True(await ledger.TryRecordAsync("slack:retry:1", Start, Ct));
        Assert.False(await ledger.TryRecordAsync("slack:retry:1", Start.AddSeconds(5), Ct));
        Assert.True(await ledger.TryRecordAsync("slack:retry:2", Start.AddSeconds(5), Ct));
    }

    [Fact]
    public async Task Of_concurrent_records_of_one_key_exactly_one_is_first()
    {
        var replicas = new[] { (await OpenAsync()).Ledger, (await OpenAsync()).Ledger };

        var first = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            replicas[i % 2].TryRecordAsync("interaction:double-click", Start, Ct))));

        Assert.Single(first, f => f);
    }

    [Fact]
    public async Task Request_keys_are_forgotten_after_a_day()
    {
        var ledger = (await OpenAsync()).Ledger;
        Assert.True(await ledger.TryRecordAsync("old-key", Start, Ct));

        Assert.True(await ledger.TryRecordAsync("new-key", Start.AddDays(2), Ct));

        Assert.True(await ledger.TryRecordAsync("old-key", Start.AddDays(2), Ct));
        Assert.False(await ledger.TryRecordAsync("new-key", Start.AddDays(2), Ct));
    }

    [Fact]
    public async Task Store_opened_again_keeps_its_jobs_and_applies_no_migration_twice()
    {
        var first = (await OpenAsync()).Jobs;
        var job = await CreateAsync(first, "web");

        var again = (await OpenAsync()).Jobs;

        Assert.Equivalent(job, await again.GetAsync(job.Id, Ct), strict: true);
    }

    protected async Task<JobRecord> CreateAsync(IJobStore store, string service, string environment = "production") =>
        await store.CreateAsync(
            new JobRequest(service, environment, "echo hi", null, new JobOrigin(JobOrigin.Slack, "T1", "C1", "U1")), Ct);

    protected async Task<JobRecord> BringToAsync(IJobStore store, JobState state)
    {
        var job = await CreateAsync(store, "web");
        JobState[] path = state switch
        {
            JobState.Pending => [],
            JobState.Queued => [JobState.Queued],
            JobState.Running => [JobState.Queued, JobState.Running],
            JobState.Succeeded => [JobState.Queued, JobState.Running, JobState.Succeeded],
            _ => [state],
        };
        var at = JobState.Pending;
        foreach (var next in path)
        {
            job = await MoveAsync(store, job.Id, at, next);
            at = next;
        }

        return job;
    }

    protected async Task<JobRecord> MoveAsync(IJobStore store, string jobId, JobState from, JobState to)
    {
        var result = await store.TryTransitionAsync(
            jobId, from, new JobTransition(to, Clock.GetUtcNow(), FailureReason: to == JobState.Failed ? "it broke" : null), Ct);
        Assert.True(result.Applied);
        return result.Job!;
    }

    private static string[] Ids(IEnumerable<JobRecord> jobs) => jobs.Select(j => j.Id).ToArray();

    private static TheoryData<JobState, JobState> Moves(bool legal)
    {
        var moves = new TheoryData<JobState, JobState>();
        foreach (var from in Enum.GetValues<JobState>())
        {
            foreach (var to in Enum.GetValues<JobState>())
            {
                if (JobLifecycle.CanMove(from, to) == legal)
                {
                    moves.Add(from, to);
                }
            }
        }

        return moves;
    }
}
