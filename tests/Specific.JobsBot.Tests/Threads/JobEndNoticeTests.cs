using Specific.Jobs.Domain;
using Specific.JobsBot.Threads;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>Who is told by direct message that a job ended: the decision alone, then the keeper against the Slack stand-in.</summary>
public sealed class JobEndNoticeTests
{
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JobRecord Took(TimeSpan duration, JobState state = JobState.Succeeded) => JobFixtures.Running() with
    {
        State = state,
        Version = 5,
        FinishedAt = JobFixtures.Running().RunningAt!.Value + duration,
        ExitCode = 0,
    };

    [Fact]
    public void A_job_that_ran_longer_than_the_threshold_is_told_to_its_requester_and_one_within_it_is_not()
    {
        Assert.Equal("U2147483697", JobEndNotice.Recipient(Took(TimeSpan.FromMinutes(11)), TenMinutes));
        Assert.Equal("U2147483697", JobEndNotice.Recipient(Took(TimeSpan.FromMinutes(11), JobState.Cancelled), TenMinutes));
        Assert.Null(JobEndNotice.Recipient(Took(TenMinutes), TenMinutes));
        Assert.Null(JobEndNotice.Recipient(Took(TimeSpan.FromSeconds(30)), TenMinutes));
    }

    [Fact]
    public void A_job_that_never_ran_counts_from_when_it_was_recorded()
    {
        var waitedLong = JobFixtures.Queued() with { State = JobState.Failed, FinishedAt = JobFixtures.Created.AddMinutes(12) };

        Assert.Equal(TimeSpan.FromMinutes(12), JobEndNotice.Took(waitedLong));
        Assert.Equal("U2147483697", JobEndNotice.Recipient(waitedLong, TenMinutes));
    }

    [Fact]
    public void An_unfinished_job_a_job_from_elsewhere_and_a_requester_id_of_another_shape_are_never_told()
    {
        var running = JobFixtures.Running();
        var dashboard = Took(TimeSpan.FromHours(1)) with { Origin = new JobOrigin("dashboard", UserId: "U2147483697") };
        var nobody = Took(TimeSpan.FromHours(1)) with { Origin = new JobOrigin(JobOrigin.Slack, "T1", "C0123") };
        var hostile = Took(TimeSpan.FromHours(1)) with { Origin = new JobOrigin(JobOrigin.Slack, "T1", "C0123", "U1><!channel") };
        var trailingNewline = Took(TimeSpan.FromHours(1)) with { Origin = new JobOrigin(JobOrigin.Slack, "T1", "C0123", "U2147483697\n") };

        Assert.All([running, dashboard, nobody, hostile, trailingNewline], job => Assert.Null(JobEndNotice.Recipient(job, TimeSpan.Zero)));
    }

    [Fact]
    public void A_person_who_never_chose_is_told_and_one_who_turned_it_off_is_not()
    {
        Assert.True(JobEndNotice.Wants(null));
        Assert.True(JobEndNotice.Wants(true));
        Assert.False(JobEndNotice.Wants(false));
    }

    [Fact]
    public async Task A_long_job_sends_its_requester_one_direct_message_with_the_outcome_and_a_link_to_the_thread()
    {
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => o.RequesterDmAfter = TimeSpan.Zero);
        await world.StartKeeperAsync("keeper-a");

        var job = await RunToTheEndAsync(world);

        var dm = Assert.Single(world.DirectMessages());
        Assert.StartsWith($"✅ Your job `{job.Id}` on `web` in `production` succeeded after ", dm.Text, StringComparison.Ordinal);
        Assert.Contains("|Open its thread>", dm.Text, StringComparison.Ordinal);
        Assert.Equal([job.Id], world.Notices.Claimed);
        var final = world.Replies(world.Messages().Single().Ts)[^1];
        Assert.StartsWith($"<@{ThreadKeeperHarness.User}> ✅ *Succeeded*", final.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_whose_message_an_earlier_writer_claimed_is_not_told_again()
    {
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => o.RequesterDmAfter = TimeSpan.Zero);
        await world.StartKeeperAsync("keeper-after-a-crash");
        var job = await world.CreateSlackJobAsync();
        // The writer before the crash claimed the message (and may or may not have sent it): this one must not send it.
        await world.Notices.TryClaimJobEndDmAsync(job.Id, DateTimeOffset.UtcNow, Ct);

        await RunToTheEndAsync(world, job);

        Assert.Empty(world.DirectMessages());
    }

    [Fact]
    public async Task A_requester_who_turned_messages_off_gets_none_but_is_still_mentioned_in_the_thread()
    {
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => o.RequesterDmAfter = TimeSpan.Zero);
        await world.Notices.SetDmOnJobEndAsync(ThreadKeeperHarness.User, on: false, DateTimeOffset.UtcNow, Ct);
        await world.StartKeeperAsync("keeper-a");

        await RunToTheEndAsync(world);

        Assert.Empty(world.DirectMessages());
        Assert.Empty(world.Notices.Claimed);
        Assert.StartsWith($"<@{ThreadKeeperHarness.User}> ", world.Replies(world.Messages().Single().Ts)[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_within_the_threshold_sends_no_direct_message()
    {
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => o.RequesterDmAfter = TimeSpan.FromHours(1));
        await world.StartKeeperAsync("keeper-a");

        await RunToTheEndAsync(world);

        Assert.Empty(world.DirectMessages());
        Assert.Empty(world.Notices.Claimed);
    }

    [Fact]
    public async Task A_thread_link_Slack_will_not_give_leaves_the_channel_named_in_the_message()
    {
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => o.RequesterDmAfter = TimeSpan.Zero);
        world.Slack.Faults.ServerErrorNext(100, "chat.getPermalink");
        await world.StartKeeperAsync("keeper-a");

        await RunToTheEndAsync(world);

        var dm = Assert.Single(world.DirectMessages());
        Assert.EndsWith($"Its thread is in <#{ThreadKeeperHarness.Channel}>.", dm.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_fails_the_claim_costs_the_message_and_not_the_thread()
    {
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => o.RequesterDmAfter = TimeSpan.Zero);
        world.Notices.FailWith = new InvalidOperationException("the store is down");
        await world.StartKeeperAsync("keeper-a");

        await RunToTheEndAsync(world);

        Assert.Empty(world.DirectMessages());
        Assert.Contains("*Succeeded*", world.Replies(world.Messages().Single().Ts)[^1].Text, StringComparison.Ordinal);
    }

    /// <summary>Runs a Slack job (a new one unless given) from queued to succeeded and waits for its thread to close.</summary>
    private static async Task<JobRecord> RunToTheEndAsync(ThreadKeeperHarness world, JobRecord? job = null)
    {
        job ??= await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        world.Logs.Write(job.Id, "hello-from-web");
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        await world.WaitForFinalAsync(job.Id);
        return job;
    }
}
