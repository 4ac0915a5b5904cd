using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>
/// Runs waiting for approval, as every store keeps them: the whole request survives a restart (another store over the
/// same database), and each decision is a compare-and-set, so two approvers, or an approval and an expiry, never both win.
/// </summary>
public abstract partial class JobStoreContract
{
    private async Task<IApprovalStore> OpenApprovalsAsync() => (IApprovalStore)(await OpenAsync()).Jobs;

    private static PendingApproval Waiting(string id = "a-aaaaaaaa", TimeSpan? expiry = null) => new()
    {
        Id = id,
        State = ApprovalState.Waiting,
        Request = new JobRequest("payments", "production", "rake ledger:reconcile", "reconcile",
            new JobOrigin(JobOrigin.Slack, "T1", "C0OPS", "U0SANDBOX", "sandbox"), RunAlone: true) { Timeout = TimeSpan.FromMinutes(15) },
        RequesterId = "U0SANDBOX",
        ReplyTo = new ApprovalReplyRoute("https://hooks.slack.test/response/1", "C0OPS", "U0SANDBOX"),
        Rule = "Guardrails:Environments:production:Services:payments:Approval",
        MessageChannelId = "C0APPROVERS",
        MessageTs = "1700000000.000100",
        CreatedAt = Start,
        ExpiresAt = Start + (expiry ?? TimeSpan.FromMinutes(30)),
        Version = 0,
    };

    [Fact]
    public async Task A_waiting_approval_keeps_the_whole_request_and_is_read_back_by_another_replica()
    {
        var first = await OpenApprovalsAsync();
        var second = await OpenApprovalsAsync();

        var created = await first.CreateApprovalAsync(Waiting(), Ct);
        var read = await second.GetApprovalAsync(created.Id, Ct);

        Assert.NotNull(read);
        Assert.Equal(1, created.Version);
        Assert.Equivalent(created, read, strict: true);
        Assert.Equal(Waiting().Request, read.Request);
        Assert.Equal(TimeSpan.FromMinutes(15), read.Request.Timeout);
        Assert.Equal((ApprovalState.Waiting, "C0APPROVERS", "1700000000.000100"), (read.State, read.MessageChannelId, read.MessageTs));
        Assert.Equal(new ApprovalReplyRoute("https://hooks.slack.test/response/1", "C0OPS", "U0SANDBOX"), read.ReplyTo);
        Assert.Null(await second.GetApprovalAsync("a-unknown1", Ct));
    }

    [Fact]
    public async Task Of_two_approvers_deciding_at_once_exactly_one_wins_and_the_other_reads_the_winner()
    {
        var first = await OpenApprovalsAsync();
        var second = await OpenApprovalsAsync();
        await first.CreateApprovalAsync(Waiting(), Ct);

        var decisions = await Task.WhenAll(
            Task.Run(() => first.TryDecideApprovalAsync("a-aaaaaaaa", ApprovalState.Approved, "U0ALICE", Start.AddMinutes(1), "j-approve1", Ct), Ct),
            Task.Run(() => second.TryDecideApprovalAsync("a-aaaaaaaa", ApprovalState.Approved, "U0BOB", Start.AddMinutes(1), "j-approve2", Ct), Ct),
            Task.Run(() => second.TryDecideApprovalAsync("a-aaaaaaaa", ApprovalState.Denied, "U0CAROL", Start.AddMinutes(1), null, Ct), Ct));

        var winner = Assert.Single(decisions, d => d.Applied);
        Assert.All(decisions, d => Assert.Equal(winner.Approval!.DecidedBy, d.Approval!.DecidedBy));
        var stored = (await first.GetApprovalAsync("a-aaaaaaaa", Ct))!;
        Assert.Equal((winner.Approval!.State, winner.Approval.JobId, 2L), (stored.State, stored.JobId, stored.Version));
    }

    [Fact]
    public async Task An_approval_racing_its_expiry_and_a_withdrawal_leaves_one_decision_and_the_job_id_only_with_an_approval()
    {
        var store = await OpenApprovalsAsync();
        await store.CreateApprovalAsync(Waiting(), Ct);

        var decisions = await Task.WhenAll(
            Task.Run(() => store.TryDecideApprovalAsync("a-aaaaaaaa", ApprovalState.Expired, ApprovalWire.Expiry, Start.AddMinutes(30), null, Ct), Ct),
            Task.Run(() => store.TryDecideApprovalAsync("a-aaaaaaaa", ApprovalState.Withdrawn, "U0SANDBOX", Start.AddMinutes(30), null, Ct), Ct),
            Task.Run(() => store.TryDecideApprovalAsync("a-aaaaaaaa", ApprovalState.Approved, "U0ALICE", Start.AddMinutes(30), "j-approve1", Ct), Ct));

        var winner = Assert.Single(decisions, d => d.Applied).Approval!;
        var stored = (await store.GetApprovalAsync("a-aaaaaaaa", Ct))!;
        Assert.Equal(winner.State, stored.State);
        Assert.Equal(stored.State == ApprovalState.Approved ? "j-approve1" : null, stored.JobId);
        Assert.Equal(Start.AddMinutes(30), stored.DecidedAt);
    }

    [Fact]
    public async Task The_sweep_lists_what_expired_and_what_was_decided_but_not_settled_and_settling_is_once()
    {
        var store = await OpenApprovalsAsync();
        await store.CreateApprovalAsync(Waiting("a-short001", TimeSpan.FromMinutes(5)), Ct);
        await store.CreateApprovalAsync(Waiting("a-long0001", TimeSpan.FromMinutes(60)), Ct);
        await store.CreateApprovalAsync(Waiting("a-decided1"), Ct);

        Assert.Empty(await store.ListExpiredApprovalsAsync(Start.AddMinutes(4), 10, Ct));
        Assert.Equal(["a-short001"], (await store.ListExpiredApprovalsAsync(Start.AddMinutes(5), 10, Ct)).Select(a => a.Id));

        await store.TryDecideApprovalAsync("a-decided1", ApprovalState.Approved, "U0ALICE", Start.AddMinutes(2), "j-decided1", Ct);
        Assert.Empty(await store.ListUnsettledApprovalsAsync(Start.AddMinutes(1), 10, Ct));
        var unsettled = Assert.Single(await store.ListUnsettledApprovalsAsync(Start.AddMinutes(2), 10, Ct));
        Assert.Equal(("a-decided1", "j-decided1"), (unsettled.Id, unsettled.JobId));
        Assert.DoesNotContain("a-decided1", (await store.ListExpiredApprovalsAsync(Start.AddHours(2), 10, Ct)).Select(a => a.Id));

        await store.MarkApprovalSettledAsync("a-decided1", Start.AddMinutes(3), Ct);
        await store.MarkApprovalSettledAsync("a-decided1", Start.AddMinutes(9), Ct);
        Assert.Empty(await store.ListUnsettledApprovalsAsync(Start.AddHours(1), 10, Ct));
        Assert.Equal(Start.AddMinutes(3), (await store.GetApprovalAsync("a-decided1", Ct))!.SettledAt);

        // A waiting request is never settled, and its message can be moved.
        await store.MarkApprovalSettledAsync("a-long0001", Start, Ct);
        await store.SetApprovalMessageAsync("a-long0001", "C0OTHER", "1700000001.000200", Ct);
        var waiting = (await store.GetApprovalAsync("a-long0001", Ct))!;
        Assert.Equal((ApprovalState.Waiting, (DateTimeOffset?)null, "C0OTHER", "1700000001.000200"), (waiting.State, waiting.SettledAt, waiting.MessageChannelId, waiting.MessageTs));
    }

    [Fact]
    public async Task A_job_recorded_under_an_approvals_id_keeps_its_approver_and_is_never_recorded_twice()
    {
        var stores = await OpenAsync();
        var request = new JobRequest("payments", "production", "echo hi", null, new JobOrigin(JobOrigin.Slack, "T1", "C0OPS", "U0SANDBOX"))
        {
            JobId = "j-approved",
            ApprovedBy = "U0ALICE",
        };

        var created = await stores.Jobs.CreateAsync(request, Ct);
        var again = await Record.ExceptionAsync(() => stores.Jobs.CreateAsync(request, Ct));

        Assert.Equal(("j-approved", "U0ALICE"), (created.Id, created.ApprovedBy));
        Assert.Equal("U0ALICE", (await (await OpenAsync()).Jobs.GetAsync("j-approved", Ct))!.ApprovedBy);
        Assert.NotNull(again);
        Assert.Single(await stores.Jobs.ListAsync(new JobQuery(), Ct));
        Assert.Null((await stores.Jobs.CreateAsync(request with { JobId = null, ApprovedBy = null }, Ct)).ApprovedBy);
    }

    [Fact]
    public async Task Only_settled_requests_decided_before_the_cutoff_are_deleted_and_a_batch_is_bounded()
    {
        var store = await OpenApprovalsAsync();
        foreach (var id in new[] { "a-settled1", "a-settled2", "a-settled3", "a-unsettle", "a-waiting1" })
        {
            await store.CreateApprovalAsync(Waiting(id), Ct);
        }

        foreach (var id in new[] { "a-settled1", "a-settled2", "a-settled3", "a-unsettle" })
        {
            await store.TryDecideApprovalAsync(id, ApprovalState.Denied, "U0ALICE", Start.AddMinutes(1), null, Ct);
        }

        foreach (var id in new[] { "a-settled1", "a-settled2", "a-settled3" })
        {
            await store.MarkApprovalSettledAsync(id, Start.AddMinutes(2), Ct);
        }

        Assert.Equal(0, await store.DeleteSettledApprovalsAsync(Start.AddMinutes(1), 10, Ct));
        Assert.Equal(2, await store.DeleteSettledApprovalsAsync(Start.AddDays(1), 2, Ct));
        Assert.Equal(1, await store.DeleteSettledApprovalsAsync(Start.AddDays(1), 2, Ct));
        Assert.Equal(0, await store.DeleteSettledApprovalsAsync(Start.AddDays(1), 2, Ct));
        Assert.NotNull(await store.GetApprovalAsync("a-unsettle", Ct));
        Assert.NotNull(await store.GetApprovalAsync("a-waiting1", Ct));
    }
}
